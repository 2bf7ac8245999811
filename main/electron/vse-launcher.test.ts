/**
 * The VSE as a utilityProcess. The fork is Electron's call, so a fake utilityProcess records
 * it; behind the fake, the real bundled VSE (dist/app/vse.cjs, as the app ships it) runs in a
 * real Node process that sees a `process.parentPort` as in Electron. The supervisor drives it
 * through the launcher: start, enroll, take a payment, stop cleanly; the launcher kills as asked.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VseSupervisor, type SupervisorEvent } from '../vse/supervisor.ts';
import { VSE_V8_FLAGS } from '../vse/launcher.ts';
import { GENEROUS_POLICY, tempDataDir, terminalCertificateFor, testScheme, TestWallet } from '../../test/support/vse.ts';
import { builtAppForTests } from './test/built-app.ts';
import { FakeUtilityProcess } from './test/fake-electron.ts';
import { utilityProcessLauncher, VSE_SERVICE_NAME } from './vse-launcher.ts';

const app = builtAppForTests();
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function setUp() {
  const world = testScheme();
  const data = tempDataDir('kassa-utility-');
  cleanups.push(() => data.remove());
  const utilityProcess = new FakeUtilityProcess();
  const signals: { pid: number; signal: string }[] = [];
  const vseDir = join(data.dir, 'vse');
  const launcher = utilityProcessLauncher(utilityProcess, {
    entry: join(app.dir, 'vse.cjs'),
    dataDir: vseDir,
    signal: (pid, signal) => {
      signals.push({ pid, signal });
      process.kill(pid, signal);
    },
  });
  const vse = new VseSupervisor({
    launcher,
    init: { dataDir: vseDir, databaseKey: new Uint8Array(32).fill(7), rootKeys: [world.scheme.root.publicKey], policy: GENEROUS_POLICY },
    defaultTimeoutMs: 15_000,
    restart: { initialDelayMs: 10, maxDelayMs: 100 },
  });
  const events: SupervisorEvent[] = [];
  vse.on((event) => events.push(event));
  cleanups.push(() => vse.stop());
  return { world, utilityProcess, signals, vse, vseDir, events, launcher };
}

describe('the VSE in a utilityProcess', () => {
  it('forks the bundled entry with its service name, its V8 flags, no environment and no stdin', async () => {
    const { utilityProcess, vse } = setUp();
    await vse.start();
    expect(utilityProcess.forks).toHaveLength(1);
    const [fork] = utilityProcess.forks;
    expect(fork!.modulePath).toBe(join(app.dir, 'vse.cjs'));
    expect(fork!.args).toEqual([]);
    expect(fork!.options).toEqual({ serviceName: VSE_SERVICE_NAME, execArgv: [...VSE_V8_FLAGS], env: {}, stdio: ['ignore', 'inherit', 'inherit'] });
  });

  it('takes a payment through the launcher: init with the key, enroll, request, accept after commit', { timeout: 60_000 }, async () => {
    const { world, vse } = setUp();
    const init = await vse.start();
    expect(init.terminalId).toBeNull();
    await vse.call('installTrustList', { trustList: world.trustListCose });
    await vse.call('installTerminalCertificate', { certificate: terminalCertificateFor(world, init.terminalKey) });
    const request = await vse.call('createPaymentRequest', { amount: 12_900, currency: 'SEK', ttlSeconds: 120 });
    const text = new TestWallet(world).pay(request.text);
    const outcome = await vse.call('accept', { text, context: { channel: 'keyboard' } });
    expect(outcome).toMatchObject({ outcome: 'accepted', duplicate: false, payment: { amount: 12_900, currency: 'SEK' } });
    // Bytes cross as bytes (structured clone): the stored payment is there after a restart of the process.
    await vse.stop();
    await vse.start();
    const stored = await vse.call('listPayments', { limit: 10 });
    expect(stored.payments).toHaveLength(1);
  });

  it('kills with SIGKILL by pid when asked (utilityProcess.kill cannot), and politely otherwise', async () => {
    const { utilityProcess, signals, launcher } = setUp();
    for (const [asked, code] of [['SIGKILL', 137], [undefined, 143]] as const) {
      const vse = launcher();
      const ready = new Promise<void>((resolve) => vse.onMessage((message) => (message as { kind?: string }).kind === 'ready' && resolve()));
      const exited = new Promise<[number | null, string | null]>((resolve) => vse.onExit((exitCode, signal) => resolve([exitCode, signal])));
      await ready;
      const pid = vse.pid!;
      vse.kill(asked);
      expect(await exited).toEqual([code, null]);
      expect(utilityProcess.forks.at(-1)!.child.child.signalCode).toBe(asked ?? 'SIGTERM');
      expect(signals.filter((sent) => sent.pid === pid)).toEqual(asked === undefined ? [] : [{ pid, signal: 'SIGKILL' }]);
      // Gone: sending and killing again do nothing.
      vse.send({ kind: 'request', id: 1, method: 'status', params: {} });
      vse.kill('SIGKILL');
    }
  });

  it('stops cleanly: the VSE closes its database and exits 0, and a call after the exit is refused as a typed error', async () => {
    const { vse, events, utilityProcess } = setUp();
    await vse.start();
    await vse.stop();
    expect(events).toContainEqual({ kind: 'exit', code: 0, signal: null, expected: true });
    expect(utilityProcess.forks[0]!.child.pid).toBeUndefined();
    await expect(vse.call('status', {})).rejects.toMatchObject({ code: 'VSE_UNAVAILABLE' });
  });
});
