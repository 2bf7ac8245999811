/**
 * Test support for the VSE: a real VSE process under the permission model in a fresh data
 * folder, enrolled the way `kassa enroll` will do it (the VSE's own public key certified by
 * the scheme's terminal issuer), or the VSE object in-process with a clock the test moves.
 * The scheme and wallets come from sim/fixtures/terminal-world.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RiskPolicyOverrides, VseEvent, VseParams } from '../../vse/contract/rpc.ts';
import { Vse } from '../../vse/vse.ts';
import { forkLauncher } from '../../main/vse/launcher.ts';
import { VseSupervisor, type VseSupervisorOptions } from '../../main/vse/supervisor.ts';
import { terminalCertificateFor, testScheme, type TestScheme, type TestWallet } from '../../sim/fixtures/terminal-world.ts';

export * from '../../sim/fixtures/terminal-world.ts';

/** Caps high enough that policy never gets in a test's way unless the test is about policy. */
export const GENEROUS_POLICY: RiskPolicyOverrides = {
  defaultLimits: { maxPaymentAmount: 1e12, maxUnsettledTotal: 1e15, maxUnsettledPerReservation: 1e15 },
};

export function tempDataDir(prefix = 'kassa-vse-'): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface StartOptions {
  dataDir: string;
  databaseKey?: Uint8Array;
  policy?: RiskPolicyOverrides;
  testMode?: boolean;
  init?: Partial<VseParams<'init'>>;
  defaultTimeoutMs?: number;
  restart?: VseSupervisorOptions['restart'];
}

export function supervisorFor(world: TestScheme, options: StartOptions): VseSupervisor {
  return new VseSupervisor({
    launcher: forkLauncher({ dataDir: options.dataDir, testMode: options.testMode ?? true }),
    init: {
      dataDir: options.dataDir,
      databaseKey: options.databaseKey ?? new Uint8Array(32).fill(0x42),
      rootKeys: [world.scheme.root.publicKey],
      policy: options.policy ?? GENEROUS_POLICY,
      ...options.init,
    },
    defaultTimeoutMs: options.defaultTimeoutMs ?? 10_000,
    restart: { initialDelayMs: 10, maxDelayMs: 200, ...options.restart },
  });
}

/** Starts a VSE and enrols it: trust list, then its own key certified by the terminal issuer. */
export async function startEnrolledVse(world: TestScheme, options: StartOptions): Promise<VseSupervisor> {
  const vse = supervisorFor(world, options);
  const init = await vse.start();
  if (init.terminalId === null) {
    await vse.call('installTrustList', { trustList: world.trustListCose });
    await vse.call('installTerminalCertificate', { certificate: terminalCertificateFor(world, init.terminalKey) });
  }
  return vse;
}

export async function requestAndPay(vse: VseSupervisor, wallet: TestWallet, amount = 1_000): Promise<string> {
  const request = await vse.call('createPaymentRequest', { amount, currency: 'SEK', ttlSeconds: 120 });
  return wallet.pay(request.text);
}

/** A VSE object in this process, on a real encrypted database, with a clock the test moves. */
export interface InProcessVse {
  vse: Vse;
  clock: { now: number };
  events: VseEvent[];
  dataDir: string;
  reopen(): InProcessVse;
}

export function openInProcess(world: TestScheme, dataDir: string, policy: RiskPolicyOverrides = GENEROUS_POLICY, clock = { now: world.now }): InProcessVse {
  const events: VseEvent[] = [];
  const vse = Vse.open({
    dataDir,
    databaseKey: new Uint8Array(32).fill(0x42),
    rootKeys: [world.scheme.root.publicKey],
    policy,
    testMode: true,
    clock: () => clock.now,
    emit: (event) => events.push(event),
  });
  return {
    vse,
    clock,
    events,
    dataDir,
    reopen: () => {
      vse.close();
      return openInProcess(world, dataDir, policy, clock);
    },
  };
}

/** Installs the trust list and a certificate for the VSE's own key. */
export function enrollInProcess(world: TestScheme, vse: Vse, terminalId = 'TERM-0000042'): void {
  vse.installTrustList({ trustList: world.trustListCose });
  vse.installTerminalCertificate({ certificate: terminalCertificateFor(world, vse.terminalKey, terminalId) });
}

/** A fresh data folder with an enrolled in-process VSE; `dispose` closes and removes it. */
export function freshEnrolledVse(): { world: TestScheme; data: { dir: string; remove: () => void }; t: InProcessVse } {
  const world = testScheme();
  const data = tempDataDir();
  const t = openInProcess(world, data.dir);
  enrollInProcess(world, t.vse);
  return { world, data, t };
}

export function dispose(t: InProcessVse, data: { remove: () => void }): void {
  t.vse.close();
  data.remove();
}
