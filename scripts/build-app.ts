/**
 * `npm run build:app`: bundles the Electron app's three entries with esbuild, because Electron
 * runs JavaScript, not TypeScript, and a sandboxed preload can require nothing but `electron`:
 *
 *   main/electron/main.ts    → dist/app/main.cjs     the main process
 *   main/electron/preload.ts → dist/app/preload.cjs  the preload of every window (only `electron` external)
 *   vse/main.ts              → dist/app/vse.cjs      the VSE, started as a utilityProcess
 *
 * Native and Node-only packages stay external and load from node_modules at run time (in the
 * packaged app from app.asar, their .node files unpacked: electron-builder.yml `asarUnpack`).
 * A metafile per bundle lets the tests see what went in.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { APP_METHODS } from '../main/contract/app-api.ts';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const APP_OUT = join(ROOT, 'dist', 'app');

/** Node 24 is what Electron 45 embeds; Chromium 140 its renderer. */
const NODE_TARGET = 'node24';
const RENDERER_TARGET = 'chrome140';

/** Loaded from node_modules at run time: native addons and libraries that load files or workers of their own. */
// pdfkit loads its standard fonts through its package's own subpath imports (#standard-fonts/…).
export const MAIN_EXTERNAL = ['electron', 'better-sqlite3-multiple-ciphers', 'serialport', '@serialport/*', 'node-hid', 'pino', 'pdfkit'];
export const VSE_EXTERNAL = ['better-sqlite3-multiple-ciphers'];

// CommonJS has no import.meta: the source's import.meta.url and .dirname become the bundle's own.
const IMPORT_META = {
  define: { 'import.meta.url': '__kassa_import_meta_url', 'import.meta.dirname': '__dirname' },
  banner: { js: 'const __kassa_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
};

/**
 * The preload needs the contract's call names and nothing else of it: this hands it the
 * names, taken from the contract module at build time, instead of the contract with its zod
 * schemas (and, through them, the protocol's CBOR code). A test runs the built preload and
 * checks its allow-list against APP_METHODS.
 */
const contractNamesOnly: Plugin = {
  name: 'kassa-contract-names-only',
  setup(esbuild) {
    esbuild.onLoad({ filter: /[\\/]main[\\/]contract[\\/]app-api\.ts$/ }, () => ({
      contents: `export const APP_METHODS = ${JSON.stringify(APP_METHODS)};\n`,
      loader: 'ts',
    }));
  },
};

export interface AppBundle {
  name: 'main' | 'preload' | 'vse';
  entry: string;
  outfile: string;
  options: BuildOptions;
}

export const APP_BUNDLES: readonly AppBundle[] = [
  {
    name: 'main',
    entry: 'main/electron/main.ts',
    outfile: 'main.cjs',
    options: { platform: 'node', target: NODE_TARGET, external: MAIN_EXTERNAL, ...IMPORT_META },
  },
  {
    name: 'preload',
    entry: 'main/electron/preload.ts',
    outfile: 'preload.cjs',
    // The sandboxed preload runs in the renderer process with a require() that knows `electron` only.
    options: { platform: 'browser', target: RENDERER_TARGET, external: ['electron'], plugins: [contractNamesOnly] },
  },
  {
    name: 'vse',
    entry: 'vse/main.ts',
    outfile: 'vse.cjs',
    options: { platform: 'node', target: NODE_TARGET, external: VSE_EXTERNAL, ...IMPORT_META },
  },
];

export interface BuiltBundle {
  name: AppBundle['name'];
  outfile: string;
  bytes: number;
  /** Source files that went into the bundle, relative to the repository root. */
  inputs: string[];
  /** Modules the bundle still requires at run time. */
  imports: string[];
}

export async function buildApp(outDir: string = APP_OUT): Promise<BuiltBundle[]> {
  mkdirSync(outDir, { recursive: true });
  return Promise.all(
    APP_BUNDLES.map(async (bundle) => {
      const outfile = join(outDir, bundle.outfile);
      const result = await build({
        ...bundle.options,
        absWorkingDir: ROOT,
        entryPoints: [join(ROOT, bundle.entry)],
        outfile,
        bundle: true,
        format: 'cjs',
        sourcemap: 'linked',
        metafile: true,
        legalComments: 'none',
        logLevel: 'warning',
      });
      const meta: Metafile = result.metafile;
      writeFileSync(`${outfile}.meta.json`, JSON.stringify(meta));
      const output = meta.outputs[relative(ROOT, outfile)];
      if (output === undefined) throw new Error(`esbuild wrote no ${outfile}`);
      return {
        name: bundle.name,
        outfile,
        bytes: output.bytes,
        inputs: Object.keys(output.inputs),
        imports: [...new Set(output.imports.filter((entry) => entry.external).map((entry) => entry.path))].sort(),
      };
    }),
  );
}

if (import.meta.main) {
  const outDir = process.argv[2] ?? APP_OUT;
  for (const bundle of await buildApp(outDir)) {
    console.log(`${relative(ROOT, bundle.outfile)}  ${(bundle.bytes / 1024).toFixed(0)} KiB  requires ${bundle.imports.join(', ') || 'nothing'}`);
  }
}
