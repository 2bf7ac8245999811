/**
 * The terminal host of the `settle` benchmark, in a process of its own so that the memory
 * measured is the host's alone: it opens the terminal (and its VSE), says `ready`, settles
 * when told, and reports the wall time and where it went (split at the service's events:
 * sent → answered → recorded → sent).
 *
 *   node bench/settle-host.ts DATA_DIR BATCH_SIZE   (forked by bench/settle.ts, IPC channel)
 */
import { openTerminal } from '../main/terminal/terminal-host.ts';

export interface HostReady {
  kind: 'ready';
  vsePid: number;
  unsettled: number;
}

export interface HostSettled {
  kind: 'settled';
  seconds: number;
  ok: boolean;
  settled: number;
  batches: number;
  detail: string;
  /** Milliseconds spent making batches (VSE), in the POST (backend, HTTP, client), recording answers (VSE). */
  phases: { nextBatch: number; http: number; record: number };
}

const [dataDir, batchSize] = process.argv.slice(2);
const host = await openTerminal({ dataDir, settlement: { batchSize: Number(batchSize) } });
const phases = { nextBatch: 0, http: 0, record: 0 };
let last = 0;
const lap = (phase: keyof typeof phases) => () => {
  const now = performance.now();
  phases[phase] += now - last;
  last = now;
};
host.settlement.on('batch-sent', lap('nextBatch'));
host.settlement.on('batch-answered', lap('http'));
host.settlement.on('batch-recorded', lap('record'));

const unsettled = (await host.vse.call('unsettled', {})).totals.reduce((sum, t) => sum + t.count, 0);
process.send!({ kind: 'ready', vsePid: host.vse.pid!, unsettled } satisfies HostReady);
process.once('message', async () => {
  const started = performance.now();
  last = started;
  const report = await host.settlement.settleNow();
  const seconds = (performance.now() - started) / 1000;
  const settled: HostSettled = { kind: 'settled', seconds, ok: report.ok, settled: report.counts.SETTLED, batches: report.batches, detail: report.failure?.detail ?? '', phases };
  process.send!(settled);
  await host.close();
  process.disconnect();
});
