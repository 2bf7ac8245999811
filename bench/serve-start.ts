/**
 * `serve-start`: how fast `kassa serve` is ready and how much memory it then holds (goals:
 * the ready line within 1.5 s of starting, host + VSE under 200 MB resident when idle).
 *
 * Each run starts `./kassa serve --port 0` as an operator would (the shell wrapper, Node, the
 * command line, the host) and times it from spawn to its one stdout line; `node -e 0` is
 * started and timed the same way (spawn to exit) in the same run, as the baseline. Two data
 * folders: a fresh one (no VSE to start) and one enrolled with the reference backend (the VSE
 * process starts and opens its encrypted database before the line is printed). Once ready
 * and left alone for a moment, the resident memory (VmRSS) of the host process and of its VSE
 * child is read from /proc; an idle bare `node` is read the same way as the baseline.
 *
 * VmRSS counts the pages the host and the VSE share (the Node binary, mostly) once in each, so
 * the sum overstates what the pair costs; the proportional set size (Pss, /proc/PID/smaps_rollup)
 * splits shared pages between them and is given beside it.
 *
 * Where start-up time and memory go: `./kassa` loads every command before it runs one, and
 * Node strips the types of every .ts file it loads (the stripper itself is resident memory).
 * Node's compile cache keeps the stripped, compiled code between starts; the `*-compile-cache`
 * figures start the same host with NODE_COMPILE_CACHE set, to show what it would change.
 *
 * The machine is shared: medians over the runs, and the figures of the run say how loaded it
 * was (`load-average`).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../sim/backend/admin-client.ts';
import { startBackendProcess } from '../sim/backend/process.ts';
import { enroll } from '../main/terminal/enrollment.ts';
import { VSE_BUNDLE, vseEntry } from '../main/vse/launcher.ts';
import { figure, percentile, type Benchmark, type Figure } from './figures.ts';

const NAME = 'serve-start';
const KASSA = fileURLToPath(new URL('../kassa', import.meta.url));
const READY = /^Kassa listening on http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+\n/;
/** How long a started host is left alone before its memory is read. */
const SETTLE_MS = 1_500;

const log = (text: string) => process.stderr.write(`${NAME}: ${text}\n`);
const median = (samples: number[]) => percentile(samples, 50);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The environment without the KASSA_* variables that would point the host elsewhere (and without a compile cache unless asked). */
const env = (extra: Record<string, string> = {}) => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KASSA_') && name !== 'NODE_COMPILE_CACHE')),
  ...extra,
});

function rssMb(pid: number): number {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
  return kb / 1024;
}

function pssMb(pid: number): number {
  const kb = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))![1]);
  return kb / 1024;
}

function childrenOf(pid: number): number[] {
  const file = `/proc/${pid}/task/${pid}/children`;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  // Kernels without CONFIG_PROC_CHILDREN: the processes whose parent is pid.
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((name) => {
      try {
        return Number(readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Spawns and resolves when `ready` matches the stdout so far (or at exit when no pattern is given). */
function startTimed(command: string, args: string[], ready: RegExp | undefined, extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; ms: number }> {
  const started = performance.now();
  const child = spawn(command, args, { env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (ready?.test(stdout)) resolve({ child, ms: performance.now() - started });
    });
    child.once('exit', (code) => {
      if (ready === undefined && code === 0) resolve({ child, ms: performance.now() - started });
      else reject(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

interface ServeSample {
  readyMs: number;
  hostMb: number;
  vseMb: number;
  /** Host + VSE, proportional set size. */
  pssMb: number;
}

async function serveOnce(dataDir: string, extraEnv: Record<string, string> = {}): Promise<ServeSample> {
  const { child, ms } = await startTimed(KASSA, ['serve', '--port', '0', '--data', dataDir], READY, extraEnv);
  try {
    await sleep(SETTLE_MS);
    const pid = child.pid!;
    const vse = childrenOf(pid);
    return { readyMs: ms, hostMb: rssMb(pid), vseMb: vse.reduce((sum, p) => sum + rssMb(p), 0), pssMb: [pid, ...vse].reduce((sum, p) => sum + pssMb(p), 0) };
  } finally {
    await stop(child);
  }
}

async function idleNodeMb(): Promise<number> {
  const { child } = await startTimed(process.execPath, ['-e', "process.stdout.write('ready\\n'); setInterval(() => {}, 60_000)"], /ready\n/);
  try {
    await sleep(SETTLE_MS);
    return rssMb(child.pid!);
  } finally {
    await stop(child);
  }
}

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const runs = full ? 10 : 4;
    // `kassa serve` starts the bundled VSE when it is fresh: measure what an operator gets after `npm run build:app`.
    if (vseEntry() !== VSE_BUNDLE) {
      process.stderr.write('serve-start: building the VSE bundle first (npm run build:app)\n');
      execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build-app.ts', import.meta.url))], { stdio: ['ignore', 'ignore', 'inherit'] });
    }
    const folder = mkdtempSync(join(tmpdir(), 'kassa-bench-serve-'));
    const backend = await startBackendProcess({ db: join(folder, 'backend.sqlite') });
    try {
      const { token } = await new AdminClient(backend.url).createEnrollmentToken({ merchantId: 'M-BENCH', merchantName: 'Bench Shop' });
      const enrolled = join(folder, 'enrolled');
      await enroll({ dataDir: enrolled, env: {}, backendUrl: backend.url, token, rootKeys: backend.rootKeys });
      const compileCache = { NODE_COMPILE_CACHE: join(folder, 'compile-cache') };
      // One start each to warm the file cache (and fill the compile cache), not counted.
      await serveOnce(join(folder, 'warm'));
      await serveOnce(join(folder, 'warm'), compileCache);

      const baseline: number[] = [];
      const fresh: ServeSample[] = [];
      const enrolledSamples: ServeSample[] = [];
      const cached: ServeSample[] = [];
      const load: number[] = [];
      for (let run = 0; run < runs; run++) {
        load.push(loadavg()[0]!);
        baseline.push((await startTimed(process.execPath, ['-e', '0'], undefined)).ms);
        fresh.push(await serveOnce(join(folder, `fresh-${run}`)));
        enrolledSamples.push(await serveOnce(enrolled));
        cached.push(await serveOnce(enrolled, compileCache));
        log(
          `run ${run + 1}/${runs}: node -e 0 ${baseline.at(-1)!.toFixed(0)} ms, fresh ${fresh.at(-1)!.readyMs.toFixed(0)} ms, enrolled ${enrolledSamples.at(-1)!.readyMs.toFixed(0)} ms, ` +
            `enrolled with compile cache ${cached.at(-1)!.readyMs.toFixed(0)} ms (load ${load.at(-1)!.toFixed(1)})`,
        );
      }
      const nodeMb = await idleNodeMb();
      const nodeMs = median(baseline);

      yield figure(NAME, 'ready-fresh-ms', median(fresh.map((s) => s.readyMs)), 'ms', nodeMs);
      yield figure(NAME, 'ready-enrolled-ms', median(enrolledSamples.map((s) => s.readyMs)), 'ms', nodeMs);
      yield figure(NAME, 'idle-rss-enrolled-host-vse-mb', median(enrolledSamples.map((s) => s.hostMb + s.vseMb)), 'MB', nodeMb);
      yield figure(NAME, 'idle-rss-enrolled-host-mb', median(enrolledSamples.map((s) => s.hostMb)), 'MB', nodeMb);
      yield figure(NAME, 'idle-rss-enrolled-vse-mb', median(enrolledSamples.map((s) => s.vseMb)), 'MB', nodeMb);
      yield figure(NAME, 'idle-pss-enrolled-host-vse-mb', median(enrolledSamples.map((s) => s.pssMb)), 'MB', nodeMb);
      yield figure(NAME, 'idle-rss-fresh-host-mb', median(fresh.map((s) => s.hostMb)), 'MB', nodeMb);
      yield figure(NAME, 'ready-enrolled-compile-cache-ms', median(cached.map((s) => s.readyMs)), 'ms', nodeMs);
      yield figure(NAME, 'idle-rss-enrolled-host-vse-compile-cache-mb', median(cached.map((s) => s.hostMb + s.vseMb)), 'MB', nodeMb);
      yield figure(NAME, 'load-average', median(load), '1-min load');
    } finally {
      await backend.stop();
      rmSync(folder, { recursive: true, force: true });
    }
  },
};
