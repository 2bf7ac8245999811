/**
 * `npm run build:app`: the three bundles exist; the preload requires nothing but `electron`
 * and, run as a sandboxed preload would run it, exposes exactly the contract's calls; the main
 * bundle carries no simulator code; the VSE bundle keeps its native database external; and
 * package.json and electron-builder.yml point at what the build makes.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { getConfig } from 'app-builder-lib/out/util/config/config.js';
import { APP_METHODS } from '../main/contract/app-api.ts';
import { CONTENT_SECURITY_POLICY } from '../main/electron/app-protocol.ts';
import { CALL_CHANNEL } from '../main/electron/channels.ts';
import { SEALED_KEY_FILE } from '../main/electron/sealed-key.ts';
import { builtAppForTests } from '../main/electron/test/built-app.ts';
import { ROOT } from '../scripts/build-app.ts';
import { tempFolders } from './support/temp.ts';

const app = builtAppForTests();
const tempFolder = tempFolders();
const STAND_IN = fileURLToPath(new URL('../main/electron/test/stand-in-electron.cjs', import.meta.url));

interface StandInRecord {
  calls: string[];
  windows: { kiosk?: boolean; webPreferences: { preload?: string; sandbox: boolean } }[];
  pages: { url: string; status: number; csp: string | null; title: string | null }[];
  exitCode: number | null;
}

/** Runs dist/…/main.cjs under Node with the stand-in electron; resolves with what it recorded. */
function runMain(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ record: StandInRecord; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['-r', STAND_IN, join(app.dir, 'main.cjs'), ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve({ record: JSON.parse(line) as StandInRecord, stderr });
      } catch {
        reject(new Error(`main.cjs printed no record (${error?.message ?? 'no error'}):\n${stdout}\n${stderr}`));
      }
    });
  });
}
/** The packages a bundle leaves external, less Node's built-ins (electron-updater's code names them without `node:`). */
const builtins = (imports: string[]) => imports.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name));

/** Runs the preload bundle as Electron's sandboxed preload does: a require that knows `electron` only. */
function runPreload(source: string) {
  const exposed: { name: string; api: Record<string, unknown> }[] = [];
  const invoked: unknown[][] = [];
  const required: string[] = [];
  const electron = {
    contextBridge: { exposeInMainWorld: (name: string, api: Record<string, unknown>) => exposed.push({ name, api }) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        invoked.push(args);
        return { ok: true, result: null };
      },
      on: () => undefined,
    },
  };
  const module = { exports: {} };
  runInNewContext(source, {
    require: (name: string) => {
      required.push(name);
      if (name !== 'electron') throw new Error(`a sandboxed preload cannot require ${name}`);
      return electron;
    },
    module,
    exports: module.exports,
    console,
    Promise,
  });
  return { exposed, invoked, required };
}

describe('npm run build:app', () => {
  it('makes main.cjs, preload.cjs and vse.cjs', () => {
    for (const name of ['main.cjs', 'preload.cjs', 'vse.cjs']) expect(existsSync(join(app.dir, name))).toBe(true);
    expect(app.bundles.map((bundle) => bundle.name).sort()).toEqual(['main', 'preload', 'vse']);
  });

  it('bundles a preload that requires only electron and exposes exactly the contract\'s calls', async () => {
    const preload = app.bundle('preload');
    expect(preload.imports).toEqual(['electron']);
    // No zod, no protocol code: only the call names came from the contract.
    expect(preload.inputs.filter((input) => input.includes('node_modules') || input.startsWith('protocol/'))).toEqual([]);
    const { exposed, invoked, required } = runPreload(readFileSync(preload.outfile, 'utf8'));
    expect(required).toEqual(['electron']);
    expect(exposed.map((entry) => entry.name)).toEqual(['kassa']);
    const kassa = exposed[0]!.api as { call(method: string, params?: unknown): Promise<unknown> };
    expect(Object.keys(kassa).sort()).toEqual(['call', 'onEvent']);
    for (const method of APP_METHODS) await kassa.call(method, {});
    await expect(kassa.call('not.in.the.contract')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(invoked.map(([channel, method]) => [channel, method])).toEqual(APP_METHODS.map((method) => [CALL_CHANNEL, method]));
  });

  it('keeps the simulators out of the main bundle, and the native and Node-only packages outside it', () => {
    const main = app.bundle('main');
    expect(main.inputs.filter((input) => input.startsWith('sim/'))).toEqual([]);
    expect(readFileSync(main.outfile, 'utf8')).not.toMatch(/^\/\/ sim\//m);
    expect(main.inputs).toContain('main/electron/main.ts');
    expect(builtins(main.imports)).toEqual(['electron', 'pdfkit', 'pino', 'serialport']);
    // The VSE's own code is not in the main process: it runs in its utility process.
    expect(main.inputs.filter((input) => input.startsWith('vse/') && !input.startsWith('vse/contract/') && !input.startsWith('vse/crypto/'))).toEqual([]);
  });

  it('bundles the VSE with its database addon external, and nothing of the host or electron', () => {
    const vse = app.bundle('vse');
    expect(builtins(vse.imports)).toEqual(['better-sqlite3-multiple-ciphers']);
    expect(vse.inputs.filter((input) => input.startsWith('main/') || input.startsWith('hardware/') || input.startsWith('sim/'))).toEqual([]);
  });

  it('starts the bundled main process: the shell\'s order, the files beside it, the page under its CSP, an orderly quit', async () => {
    const data = join(tempFolder('kassa-main-bundle-'), 'data');
    const { record, stderr } = await runMain(['--data', data, '--kiosk', '--keyring', 'kwallet5']);
    expect(record.calls.slice(0, 5)).toEqual(['requestSingleInstanceLock', 'privileged app', 'enableSandbox', 'switch password-store=kwallet5', 'whenReady']);
    expect(record.calls).toEqual(expect.arrayContaining(['handle app', 'permission request handler', 'permission check handler', 'request guard', 'menu null', 'ipc kassa:call']));
    expect(record.windows).toHaveLength(1);
    expect(record.windows[0]).toMatchObject({ kiosk: true, webPreferences: { sandbox: true, preload: join(app.dir, 'preload.cjs') } });
    expect(record.pages).toEqual([{ url: 'app://kassa/', status: 200, csp: CONTENT_SECURITY_POLICY, title: expect.any(String) }]);
    expect(record.exitCode, stderr).toBe(0);
    // A fresh folder: the key sealed, the host opened unconfigured (no VSE yet), the lock freed on quit.
    expect(existsSync(join(data, SEALED_KEY_FILE))).toBe(true);
    expect(existsSync(join(data, 'terminal.lock'))).toBe(false);
    expect(record.calls.some((call) => call.startsWith('fork'))).toBe(false);
  });

  it('starts the bundled main process on basic_text: the operator screen, no key, no VSE', async () => {
    const data = join(tempFolder('kassa-main-bundle-basic-'), 'data');
    const { record, stderr } = await runMain(['--data', data], { STAND_IN_KEYRING: 'basic_text' });
    expect(record.pages).toEqual([{ url: 'app://kassa/__kassa/problem.html', status: 200, csp: CONTENT_SECURITY_POLICY, title: 'Kassa cannot start: no keyring to protect the payment database' }]);
    expect(record.windows[0]!.webPreferences.preload).toBeUndefined();
    expect(record.calls).not.toContain('ipc kassa:call');
    expect(record.exitCode, stderr).toBe(0);
    expect(existsSync(join(data, SEALED_KEY_FILE))).toBe(false);
    expect(stderr).toContain('SAFE_STORAGE_INSECURE');
  });

  it('is what package.json and electron-builder.yml point at', async () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string> };
    expect(pkg.main).toBe('dist/app/main.cjs');
    expect(pkg.scripts['build:app']).toMatch(/scripts\/build-app\.ts/);
    const config = await getConfig(ROOT, null, null);
    // electron-builder normalises the list into one filter set.
    const files = (config.files as { filter: string[] }[]).flatMap((set) => set.filter);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'dist/app/**', 'dist/renderer/**', '!dist/app/*.meta.json']));
    expect(config.asarUnpack).toEqual(expect.arrayContaining(['**/*.node']));
  });
});
