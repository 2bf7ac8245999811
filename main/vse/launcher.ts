/**
 * How the host starts a VSE process. The supervisor only needs a `VseProcess`: a message
 * channel, an exit notice and a kill switch. `forkLauncher` starts the VSE under plain Node
 * with the permission model (headless host, tests); the Electron shell will plug in a
 * launcher around `utilityProcess.fork` with the same shape (its `postMessage`, `on('message')`
 * and `on('exit')` map one to one), which is why nothing here imports electron.
 */
import { fork } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

export interface VseProcess {
  readonly pid: number | undefined;
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has exited, however it ended. */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
}

export type VseLauncher = () => VseProcess;

/** The repository root: the VSE's code lives under it (vse/, protocol/, node_modules/). */
export const CODE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const VSE_ENTRY = join(CODE_ROOT, 'vse', 'main.ts');
/** The VSE bundled by `npm run build:app` (the Electron app's utilityProcess entry). */
export const VSE_BUNDLE = join(CODE_ROOT, 'dist', 'app', 'vse.cjs');
/** What the bundle is built from: a change to any of it makes the bundle stale. */
const VSE_SOURCES = ['vse', 'protocol', 'base'].map((folder) => join(CODE_ROOT, folder));

function newestSource(folder: string): number {
  let newest = 0;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * The VSE's entry: the bundle when it is there and newer than every source file it was built
 * from, else the TypeScript source. The bundle starts faster and needs about 40 MB less
 * (no TypeScript stripping, one file instead of a hundred modules: docs/host.md, "Start-up
 * and memory"); a stale bundle is never run, so an edited VSE is the one that starts.
 */
export function vseEntry(where: { bundle: string; sources: readonly string[]; source: string } = { bundle: VSE_BUNDLE, sources: VSE_SOURCES, source: VSE_ENTRY }): string {
  try {
    const built = statSync(where.bundle).mtimeMs;
    return where.sources.every((folder) => newestSource(folder) < built) ? where.bundle : where.source;
  } catch {
    return where.source;
  }
}

export interface ForkLauncherOptions {
  /** The VSE's data folder: the only place it may write. */
  dataDir: string;
  /** Start the VSE in test mode (test clock, probes); a production host never sets this. */
  testMode?: boolean;
  /** Run under the Node permission model (default true). */
  permission?: boolean;
  /** Start the bundled VSE when it is fresh (`vseEntry()`); the source otherwise, and by default. */
  preferBundle?: boolean;
}

/**
 * The Node permission model flags for the VSE: read its own code and its data folder, write
 * only its data folder, load native addons (better-sqlite3), and nothing else — no child
 * processes, no worker threads, no WASI, no inspector (docs/vse.md says what this does not cover).
 */
export function permissionFlags(dataDir: string): string[] {
  const read = [join(CODE_ROOT, 'package.json'), join(CODE_ROOT, 'base'), join(CODE_ROOT, 'vse'), join(CODE_ROOT, 'protocol'), join(CODE_ROOT, 'node_modules'), VSE_BUNDLE, dataDir];
  // --allow-addons draws a SecurityWarning on every start; docs/vse.md states that trade-off once.
  return ['--permission', ...read.map((path) => `--allow-fs-read=${path}`), `--allow-fs-write=${dataDir}`, '--allow-addons', '--disable-warning=SecurityWarning'];
}

/**
 * V8 settings for the VSE. (utilityProcess.fork takes an `execArgv` too; that Electron hands
 * these to V8 there is for the Electron shell's test to show — no Electron binary runs here.)
 * A young generation capped at 2 MB: V8 otherwise grows it to 16 MB, and each
 * collection of that — every 80 or so accepts, a few parallel milliseconds on both cores —
 * landed on one payment and took the CPU from the host waiting for its answer; that was most
 * of the accept's p99 (docs/vse.md, "Performance"). Small collections cost about as much in
 * total and no single payment pays much of it; the VSE's memory is smaller too.
 */
export const VSE_V8_FLAGS: readonly string[] = ['--max-semi-space-size=2'];

export function forkLauncher(options: ForkLauncherOptions): VseLauncher {
  const dataDir = resolve(options.dataDir);
  return () => {
    // The host owns the folder; the VSE may only write inside it. Owner-only, like the key file.
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const child = fork(options.preferBundle === true ? vseEntry() : VSE_ENTRY, options.testMode ? ['--test-mode'] : [], {
      execArgv: [...VSE_V8_FLAGS, ...(options.permission === false ? [] : permissionFlags(dataDir))],
      serialization: 'advanced', // structured clone, as Electron's parentPort: bytes cross as bytes
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // The VSE needs no environment: none of the host's variables (a key in KASSA_DB_KEY, say) leak in.
      env: {},
    });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code, signal) => {
      exited = true;
      for (const listener of exitListeners) listener(code, signal);
    });
    // A send racing the child's death fails asynchronously; the exit handler reports it.
    child.on('error', () => {});
    return {
      pid: child.pid,
      send: (message) => {
        if (!exited && child.connected) child.send(message as never, (error) => void error);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: (signal) => {
        if (!exited) child.kill(signal);
      },
    };
  };
}
