/**
 * Test support for settlement with real parts: the reference backend as a process, a fault
 * proxy in front of it (the terminals' network), terminals enrolled through `kassa enroll`'s
 * code with their own VSE processes, payers whose reservations the backend made, and time
 * the test holds in its hand when it wants to (ManualTimers).
 */
import { join } from 'node:path';
import { FaultProxy, passAll } from '../../sim/faults/fault-proxy.ts';
import { BulkPayer } from '../../sim/fixtures/bulk-payer.ts';
import type { AcceptOutcome } from '../../vse/contract/rpc.ts';
import type { Timers } from '../../main/settlement/timers.ts';
import { enroll } from '../../main/terminal/enrollment.ts';
import { openTerminal, type OpenTerminalOptions, type TerminalHost } from '../../main/terminal/terminal-host.ts';
import { startBackendFixture, type BackendFixture } from './backend.ts';
import { GENEROUS_POLICY } from './vse.ts';

export interface SettlementFixture extends BackendFixture {
  proxy: FaultProxy;
  /** Enrolls a terminal through the proxy and opens it (payer-initiated IOUs allowed, generous caps). */
  terminal(name: string, options?: OpenTerminalOptions): Promise<TerminalHost>;
  /** A payer with `amount` reserved from the fixture's account. */
  payer(amount?: number): Promise<BulkPayer>;
}

export const ACCOUNT = 'payers';

export async function startSettlementFixture(): Promise<SettlementFixture> {
  const fixture = await startBackendFixture();
  const proxy = await FaultProxy.start({ target: { host: '127.0.0.1', port: fixture.backend.port }, plan: passAll });
  await fixture.admin.createAccount(ACCOUNT, 'SEK', 1e14);
  const hosts: TerminalHost[] = [];
  return {
    ...fixture,
    proxy,
    async terminal(name, options = {}) {
      const { token } = await fixture.admin.createEnrollmentToken({ merchantId: `M-${name}`, merchantName: `Merchant ${name}`, terminalId: name });
      const dataDir = join(fixture.folder, name);
      const policy = { ...GENEROUS_POLICY, allowPayerInitiated: true, ...options.policy };
      await enroll({ dataDir, env: {}, backendUrl: proxy.url, token, rootKeys: fixture.backend.rootKeys, terminalId: name, policy });
      const host = await openTerminal({ dataDir, env: {}, vseTimeoutMs: 20_000, ...options, policy });
      hosts.push(host);
      return host;
    },
    payer: (amount = 1e12) =>
      BulkPayer.reserve(async (request) => {
        const answer = await fixture.client.reserve(request);
        if (!answer.ok) throw new Error(`reservation refused: ${answer.error.detail}`);
        return answer.value.certificate;
      }, ACCOUNT, amount),
    close: async () => {
      for (const host of hosts) await host.close();
      await proxy.close();
      await fixture.close();
    },
  };
}

/** Accepts every text (payer-initiated), `inFlight` calls at a time; throws on anything but a fresh acceptance. */
export async function acceptAll(host: TerminalHost, texts: readonly string[], inFlight = 4): Promise<Extract<AcceptOutcome, { outcome: 'accepted' }>[]> {
  const accepted: Extract<AcceptOutcome, { outcome: 'accepted' }>[] = new Array(texts.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (let i = next++; i < texts.length; i = next++) {
        const outcome = await host.vse.call('accept', { text: texts[i]!, context: { channel: 'test' } });
        if (outcome.outcome !== 'accepted' || outcome.duplicate) throw new Error(`IOU ${i} not accepted fresh: ${JSON.stringify(outcome)}`);
        accepted[i] = outcome;
      }
    }),
  );
  return accepted;
}

/** Timers that fire only when the test says so; time moves to each timer it fires. */
export class ManualTimers implements Timers {
  nowMs = 1_800_000_000_000;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; callback: () => void }>();

  now(): number {
    return this.nowMs;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.nowMs + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** The earliest pending timer's delay from now, or undefined when none waits. */
  get nextDelay(): number | undefined {
    const earliest = this.earliest();
    return earliest === undefined ? undefined : earliest[1].at - this.nowMs;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Moves time to the earliest timer and fires it; returns the delay it waited. */
  fireNext(): number {
    const earliest = this.earliest();
    if (earliest === undefined) throw new Error('no timer is pending');
    const [id, timer] = earliest;
    const waited = timer.at - this.nowMs;
    this.pending.delete(id);
    this.nowMs = Math.max(this.nowMs, timer.at);
    timer.callback();
    return waited;
  }

  private earliest(): [number, { at: number; callback: () => void }] | undefined {
    let best: [number, { at: number; callback: () => void }] | undefined;
    for (const entry of this.pending) if (best === undefined || entry[1].at < best[1].at) best = entry;
    return best;
  }
}
