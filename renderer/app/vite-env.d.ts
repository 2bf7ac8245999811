// What Vite adds to module resolution in the renderer: CSS imports (bundled into the page's stylesheet).
declare module '*.css';
// Vite's `?url` import: the file is emitted into the build and its URL on our origin is the value.
declare module '*?url' {
  const url: string;
  export default url;
}
