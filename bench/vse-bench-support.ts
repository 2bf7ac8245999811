/**
 * What the VSE benchmarks share: a real VSE process under the permission model, enrolled in
 * a fresh scheme, and ready-made `KP1:` texts paying its own requests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forkLauncher } from '../main/vse/launcher.ts';
import { VseSupervisor } from '../main/vse/supervisor.ts';
import { terminalCertificateFor, testScheme, TestWallet, type TestScheme } from '../sim/fixtures/terminal-world.ts';
import { percentile } from './figures.ts';

export const BENCH_KEY = new Uint8Array(32).fill(0x17);

export function benchDir(name: string): string {
  // Under the working tree's filesystem, not a tmpfs: the commit must reach a real disk.
  return mkdtempSync(join(tmpdir(), `kassa-bench-${name}-`));
}

export async function startVse(world: TestScheme, dataDir: string): Promise<VseSupervisor> {
  const vse = new VseSupervisor({
    launcher: forkLauncher({ dataDir }),
    init: {
      dataDir,
      databaseKey: BENCH_KEY,
      rootKeys: [world.scheme.root.publicKey],
      policy: { defaultLimits: { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: 1e15 } },
    },
  });
  const init = await vse.start();
  if (init.terminalId === null) {
    await vse.call('installTrustList', { trustList: world.trustListCose });
    await vse.call('installTerminalCertificate', { certificate: terminalCertificateFor(world, init.terminalKey) });
  }
  return vse;
}

/** `count` texts, each paying a fresh request of the VSE from one of a few wallets. */
export async function paidTexts(vse: VseSupervisor, world: TestScheme, count: number): Promise<string[]> {
  const wallets = Array.from({ length: 32 }, () => new TestWallet(world));
  const texts: string[] = [];
  for (let i = 0; i < count; i++) {
    const request = await vse.call('createPaymentRequest', { amount: 1_000 + (i % 97), currency: 'SEK', ttlSeconds: 600 });
    texts.push(wallets[i % wallets.length]!.pay(request.text, world.now));
  }
  return texts;
}

export interface Latency {
  p50: number;
  p99: number;
  perSecond: number;
}

/** One accept over the RPC, which must be a fresh acceptance; its round trip in ms. */
export async function acceptOnce(vse: VseSupervisor, text: string): Promise<number> {
  const t0 = performance.now();
  const outcome = await vse.call('accept', { text, context: { channel: 'test' } });
  const elapsed = performance.now() - t0;
  if (outcome.outcome !== 'accepted' || outcome.duplicate) throw new Error(`benchmark payment not accepted: ${JSON.stringify(outcome)}`);
  return elapsed;
}

/** Accepts each text in turn, one call at a time, timing each round trip (ms). */
export async function acceptLatency(vse: VseSupervisor, texts: readonly string[]): Promise<Latency> {
  const samples: number[] = [];
  const started = performance.now();
  for (const text of texts) samples.push(await acceptOnce(vse, text));
  const elapsed = performance.now() - started;
  return { p50: percentile(samples, 50), p99: percentile(samples, 99), perSecond: (texts.length * 1000) / elapsed };
}

export { testScheme, type TestScheme };
