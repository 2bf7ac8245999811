/** The cashier's page: connect to the host, start the UI language the host says, render the till. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { createHostStore } from './host/store.ts';
import { connectToHost } from './host/transport.ts';
import { startI18n, type Language } from './i18n/index.ts';
import './styles.css';

const connection = connectToHost();
const store = createHostStore(connection);
const session = await connection.session.catch(() => null);
await startI18n((session?.language ?? 'en') as Language);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
);
