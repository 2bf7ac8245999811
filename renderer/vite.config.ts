/**
 * The renderer's build: two pages (the cashier's screen and the customer display), React, the
 * camera's Web Worker as a module worker. Output in dist/renderer/, which both shells serve
 * (the headless host over HTTP, the Electron shell over app://). No inline scripts or styles,
 * so the strict CSP of both shells holds.
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/renderer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2024',
    // One bundle per page; the camera worker is its own chunk and loads only when the camera
    // starts, and its decoder's .wasm is a file next to it, fetched from our own origin (never
    // inlined: the CSP's connect-src allows 'self' only).
    assetsInlineLimit: 0,
    rollupOptions: {
      input: { index: `${here}index.html`, display: `${here}display.html` },
      // @zxing/library (the QR encoder's tables and steps) does not declare itself free of side
      // effects, so its whole barrel would ship; its modules only define classes and tables.
      treeshake: { moduleSideEffects: [{ test: /[\\/]node_modules[\\/]@zxing[\\/]library[\\/]/, sideEffects: false }] },
    },
  },
  worker: { format: 'es' },
});
