/**
 * The VSE as an Electron utilityProcess: a Node process Chromium's process model owns and
 * names ("Kassa VSE" in app.getAppMetrics and child-process-gone), started from the bundled
 * entry (dist/app/vse.cjs). It speaks to its host over process.parentPort, which the VSE's
 * port (vse/rpc/port.ts) picks up by itself, so the supervisor drives it exactly as it drives
 * the forked VSE of the headless host.
 *
 * What it loses against the headless host: utilityProcess does not apply Node's permission
 * model (`--permission` and the `--allow-*` flags are not honoured there), so the VSE's file
 * access is not narrowed to its folder in the app (docs/electron.md, "The VSE process").
 */
import { mkdirSync } from 'node:fs';
import type { ForkOptions } from 'electron';
import { VSE_V8_FLAGS, type VseLauncher, type VseProcess } from '../vse/launcher.ts';

/** What the launcher uses of a UtilityProcess (Electron's satisfies it: main.ts passes the real one). */
export interface UtilityChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface UtilityProcessApi {
  fork(modulePath: string, args?: string[], options?: ForkOptions): UtilityChild;
}

export interface UtilityLauncherOptions {
  /** The bundled VSE entry (dist/app/vse.cjs). */
  entry: string;
  /** The VSE's data folder, made owner-only before the first start. */
  dataDir: string;
  /** Sends a signal by process id: for the SIGKILL utilityProcess.kill() cannot send. */
  signal?: (pid: number, signal: NodeJS.Signals) => void;
}

export const VSE_SERVICE_NAME = 'Kassa VSE';

export function utilityProcessLauncher(utilityProcess: UtilityProcessApi, options: UtilityLauncherOptions): VseLauncher {
  const signal = options.signal ?? ((pid, name) => process.kill(pid, name));
  return () => {
    mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
    const child = utilityProcess.fork(options.entry, [], {
      serviceName: VSE_SERVICE_NAME,
      execArgv: [...VSE_V8_FLAGS],
      // The VSE needs no environment: none of the host's variables leak in.
      env: {},
      // stdin cannot be anything but ignored in a utilityProcess; the VSE logs to stderr.
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    let exited = false;
    const exitListeners: ((code: number | null, signal: string | null) => void)[] = [];
    child.on('exit', (code) => {
      exited = true;
      // utilityProcess reports only an exit code; a killed VSE shows as a non-zero one.
      for (const listener of exitListeners) listener(code, null);
    });
    const vse: VseProcess = {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => exitListeners.push(listener),
      kill: (name) => {
        if (exited) return;
        // kill() asks politely (SIGTERM on POSIX); a VSE stuck in a loop gets the SIGKILL the supervisor asked for.
        const pid = child.pid;
        if (name === 'SIGKILL' && pid !== undefined) {
          try {
            signal(pid, 'SIGKILL');
            return;
          } catch {
            // Gone already, or not ours to signal: fall back to Electron's own kill.
          }
        }
        child.kill();
      },
    };
    return vse;
  };
}
