/**
 * The reference backend as a real child process — `kassa backend` on a free loopback port —
 * for tests, the demo and benchmarks: start it, read where it listens, stop it gracefully or
 * kill it outright, and start it again on the same database file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const KASSA = fileURLToPath(new URL('../../sim/cli/kassa.ts', import.meta.url));

export interface BackendProcessOptions {
  db: string;
  /** Address to bind; 127.0.0.1 by default. */
  host?: string;
  /** 0 (the default) for any free port; a fixed port to come back on the same address after a restart. */
  port?: number;
  testClock?: boolean;
  reservationTtlSeconds?: number;
  settlementGraceSeconds?: number;
  logLevel?: string;
  /** How long to wait for the "listening" line. */
  startTimeoutMs?: number;
}

export interface BackendProcess {
  url: string;
  port: number;
  rootKeys: string[];
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process has ended. */
  exited: Promise<number | string>;
  /** What the process wrote to standard error so far (its logs), for failure messages. */
  stderr(): string;
  /** SIGTERM, then wait for the exit. */
  stop(): Promise<number | string>;
  /** SIGKILL (or another signal), then wait for the exit. */
  kill(signal?: NodeJS.Signals): Promise<number | string>;
}

export async function startBackendProcess(options: BackendProcessOptions): Promise<BackendProcess> {
  const args = [KASSA, 'backend', '--db', options.db, '--port', String(options.port ?? 0), '--log-level', options.logLevel ?? 'warn'];
  if (options.host !== undefined) args.push('--host', options.host);
  if (options.testClock) args.push('--test-clock');
  if (options.reservationTtlSeconds !== undefined) args.push('--reservation-ttl', String(options.reservationTtlSeconds));
  if (options.settlementGraceSeconds !== undefined) args.push('--settlement-grace', String(options.settlementGraceSeconds));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-64 * 1024);
  });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));

  const listening = await new Promise<{ url: string; port: number; rootKeys: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the backend did not report listening within ${options.startTimeoutMs ?? 20_000} ms:\n${stderr}`));
    }, options.startTimeoutMs ?? 20_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const event = JSON.parse(line) as { event?: string; url: string; port: number; rootKeys: string[] };
        if (event.event !== 'listening') throw new Error(`unexpected first line ${line}`);
        resolve(event);
      } catch (error) {
        child.kill('SIGKILL');
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the backend exited (${code}) before listening:\n${stderr}`));
    });
  });

  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    return exited;
  };
  return { ...listening, child, exited, stderr: () => stderr, stop: () => signal('SIGTERM'), kill: (name = 'SIGKILL') => signal(name) };
}
