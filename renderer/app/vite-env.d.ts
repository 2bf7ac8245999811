// What Vite adds to module resolution in the renderer: CSS imports (bundled into the page's stylesheet).
declare module '*.css';
