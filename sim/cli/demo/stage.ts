/**
 * The demo's stage: everything it starts — a reference backend process, a fault proxy that
 * plays the network, terminals with real VSE processes, a wallet file — in one temporary
 * folder, and the teardown of all of it in reverse order, whether the story ends, fails or
 * is interrupted.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toHex } from '../../../protocol/index.ts';
import { AdminClient } from '../../backend/admin-client.ts';
import { startBackendProcess, type BackendProcess } from '../../backend/process.ts';
import { FaultProxy, passAll } from '../../faults/fault-proxy.ts';
import { reserveWallet } from '../../wallet/persistent-wallet.ts';
import { BackendClient, type BackendResult } from '../../../main/settlement/backend-client.ts';
import { enroll } from '../../../main/terminal/enrollment.ts';
import { openTerminal, type TerminalHost } from '../../../main/terminal/terminal-host.ts';

export interface DemoTerminal {
  name: string;
  host: TerminalHost;
  pid: number;
}

function unwrap<T>(result: BackendResult<T>, what: string): T {
  if (result.ok) return result.value;
  throw new Error(`${what}: ${result.error.code} ${result.error.detail}`);
}

export class Stage {
  readonly folder: string;
  private readonly teardown: (() => Promise<unknown> | void)[] = [];
  private tornDown: Promise<void> | undefined;
  backend!: BackendProcess;
  admin!: AdminClient;
  /** The network between the terminals and the backend. */
  network!: FaultProxy;

  constructor() {
    this.folder = mkdtempSync(join(tmpdir(), 'kassa-demo-'));
    this.teardown.push(() => rmSync(this.folder, { recursive: true, force: true }));
  }

  /** Starts the backend; with `network` (the printed story's), also the fault proxy the terminals reach it through. */
  async startBackend(options: { network?: boolean } = {}): Promise<void> {
    const starting = startBackendProcess({ db: join(this.folder, 'backend.sqlite') });
    // Registered before it listens: an interrupt during its start still stops it.
    this.teardown.push(async () => (await starting.catch(() => undefined))?.stop());
    this.backend = await starting;
    this.admin = new AdminClient(this.backend.url);
    if (options.network === false) return;
    this.network = await FaultProxy.start({ target: { host: '127.0.0.1', port: this.backend.port }, plan: passAll });
    this.teardown.push(() => this.network.close());
  }

  /** Registers how to stop something the caller started; it runs at close, newest first. */
  defer(step: () => Promise<unknown> | void): void {
    this.teardown.push(step);
  }

  get rootKey(): string {
    return this.backend.rootKeys[0]!;
  }

  /** Cuts the terminals' line to the backend: every connection is dropped. */
  goOffline(): void {
    this.network.setPlan(() => ({ kind: 'drop' }));
  }

  goOnline(): void {
    this.network.setPlan(passAll);
  }

  /** Enrolls a terminal (`kassa enroll`'s code) in its own data folder and opens it. */
  async terminal(name: string, token: string): Promise<DemoTerminal> {
    const dataDir = join(this.folder, name);
    // env {}: the demo's terminals use their own key files, never a KASSA_DB_KEY from the shell.
    await enroll({ dataDir, env: {}, backendUrl: this.network.url, token, rootKeys: [this.rootKey], terminalId: name });
    const host = await openTerminal({ dataDir, env: {} });
    this.teardown.push(() => host.close());
    return { name, host, pid: host.vse.pid! };
  }

  /** A wallet file with a fresh reservation (`kassa wallet reserve`'s code), reserved online. */
  async wallet(account: string, amount: number, currency: string): Promise<{ path: string; reservationId: string }> {
    const path = join(this.folder, 'wallet.json');
    const client = new BackendClient({ baseUrl: this.backend.url });
    const state = await reserveWallet({
      path,
      port: {
        reserve: async (request) => unwrap(await client.reserve(request), 'reservation refused').certificate,
        trustList: async () => unwrap(await client.trustList(), 'no trust list'),
      },
      backendUrl: this.backend.url,
      rootKeys: [Buffer.from(this.rootKey, 'hex')],
      account,
      currency,
      amount,
      now: Math.floor(Date.now() / 1000),
    });
    return { path, reservationId: state.reservation.reservationId };
  }

  /** Stops everything started, newest first; safe to call more than once. */
  close(): Promise<void> {
    this.tornDown ??= (async () => {
      for (const step of this.teardown.reverse()) {
        try {
          await step();
        } catch {
          // Keep tearing down: one stuck part must not leave the others running.
        }
      }
    })();
    return this.tornDown;
  }
}

export const shortHex = (hex: string | Uint8Array) => `${(typeof hex === 'string' ? hex : toHex(hex)).slice(0, 12)}…`;
