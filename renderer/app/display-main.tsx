/** The customer display's page: a display-role session that watches the till. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { DisplayApp } from './display/DisplayApp.tsx';
import { createHostStore } from './host/store.ts';
import { connectToHost } from './host/transport.ts';
import { startI18n, type Language } from './i18n/index.ts';
import './styles.css';

const connection = connectToHost('display');
const store = createHostStore(connection);
const session = await connection.session.catch(() => null);
await startI18n((session?.language ?? 'en') as Language);
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <DisplayApp store={store} />
  </StrictMode>,
);
