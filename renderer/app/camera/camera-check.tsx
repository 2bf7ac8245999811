/**
 * The camera panel alone on a page (renderer/camera-check.html), without a host: what it
 * reads is listed on the page and kept in `window.kassaCamera`. The browser test
 * (test/browser-camera.test.ts) drives it with Chromium's fake camera; by hand it checks a
 * real camera (`vite --config renderer/vite.config.ts`, then open /camera-check.html).
 * Not part of the product's build (renderer/vite.config.ts builds index and display only).
 */
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { startI18n } from '../i18n/index.ts';
import { CameraPanel } from './CameraPanel.tsx';
import '../styles.css';

export interface CameraCheckState {
  texts: string[];
  errors: string[];
}

const state: CameraCheckState = { texts: [], errors: [] };
(window as unknown as { kassaCamera: CameraCheckState }).kassaCamera = state;

function CameraCheck() {
  const [texts, setTexts] = useState<string[]>([]);
  return (
    <main>
      <CameraPanel
        onText={async (text) => {
          state.texts.push(text);
          setTexts([...state.texts]);
        }}
        onError={(error) => state.errors.push(`${error.code}: ${error.message}`)}
      />
      <ol aria-label="read">
        {texts.map((text, i) => (
          <li key={i} data-length={text.length}>
            {text.slice(0, 24)}…
          </li>
        ))}
      </ol>
    </main>
  );
}

await startI18n('en');
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <CameraCheck />
  </StrictMode>,
);
