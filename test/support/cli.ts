/** Runs the `kassa` command line as a real process, as a newcomer would. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const KASSA = fileURLToPath(new URL('../../sim/cli/kassa.ts', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export function kassa(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [KASSA, ...args], { timeout: options.timeoutMs ?? 30_000, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
    child.stdin!.end(options.stdin);
  });
}

/**
 * Runs `kassa` with `bytes` bytes offered on standard input as fast as it takes them, and
 * counts how many the pipe took before kassa closed it (EPIPE ends the offer, as it would
 * end `cat big-file | kassa ...`).
 */
export function kassaFedStdin(args: string[], bytes: number, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; fill?: string } = {}): Promise<Run & { stdinTaken: number }> {
  return new Promise((resolve) => {
    let taken = 0;
    const child = execFile(process.execPath, [KASSA, ...args], { timeout: options.timeoutMs ?? 30_000, env: options.env ?? process.env }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr, stdinTaken: taken });
    });
    const stdin = child.stdin!;
    stdin.on('error', () => undefined);
    const chunk = Buffer.alloc(64 * 1024, options.fill ?? 'A');
    let offered = 0;
    const offer = (): void => {
      while (offered < bytes && !stdin.destroyed) {
        const size = Math.min(chunk.length, bytes - offered);
        offered += size;
        const more = stdin.write(chunk.subarray(0, size), (error) => {
          if (!error) taken += size;
        });
        if (!more) {
          stdin.once('drain', offer);
          return;
        }
      }
      stdin.end();
    };
    offer();
  });
}

/** A loopback port nothing listens on (it was free a moment ago): connections are refused. */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
