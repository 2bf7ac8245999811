/**
 * Test support for everything that meets the reference backend over HTTP: the backend as a
 * real process on a free loopback port with its own temporary database, the §5 client and the
 * admin client pointed at it, enrolled test terminals, and in-memory wallets that pay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromHex, openSigned, SIGNED, type VerifiedTrustList } from '../../protocol/index.ts';
import { BackendClient } from '../../main/settlement/backend-client.ts';
import { AdminClient } from '../../sim/backend/admin-client.ts';
import { startBackendProcess, type BackendProcess, type BackendProcessOptions } from '../../sim/backend/process.ts';
import { bundleBytesOf, TestTerminal } from '../../sim/fixtures/terminal.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../sim/wallet/wallet.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';

export interface BackendFixture {
  folder: string;
  db: string;
  backend: BackendProcess;
  client: BackendClient;
  admin: AdminClient;
  rootKeys: Uint8Array[];
  /** Stops the backend (if it still runs) and removes the folder. */
  close(): Promise<void>;
}

export async function startBackendFixture(options: Partial<BackendProcessOptions> = {}): Promise<BackendFixture> {
  const folder = mkdtempSync(join(tmpdir(), 'kassa-backend-'));
  const db = options.db ?? join(folder, 'backend.sqlite');
  const backend = await startBackendProcess({ testClock: true, ...options, db });
  return {
    folder,
    db,
    backend,
    client: new BackendClient({ baseUrl: backend.url, timeoutMs: 10_000 }),
    admin: new AdminClient(backend.url),
    rootKeys: backend.rootKeys.map((hex) => fromHex(hex)!),
    close: async () => {
      await backend.stop();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

const unixNow = () => Math.floor(Date.now() / 1000);

/** A test terminal enrolled through `POST /v1/terminals` with a token from the admin API. */
export async function enrollTerminal(fixture: Pick<BackendFixture, 'client' | 'admin' | 'rootKeys'>, terminalId: string, merchantId = 'M-TEST'): Promise<TestTerminal> {
  const terminal = new TestTerminal(terminalId);
  const { token } = await fixture.admin.createEnrollmentToken({ merchantId, merchantName: `Merchant ${merchantId}` });
  const enrolled = await fixture.client.enroll(terminal.enrollmentRequest(token));
  if (!enrolled.ok) throw new Error(`enrollment failed: ${enrolled.error.detail}`);
  const trustList = await fixture.client.trustList();
  if (!trustList.ok) throw new Error(`no trust list: ${trustList.error.detail}`);
  terminal.install(enrolled.value.certificate, trustList.value, fixture.rootKeys);
  return terminal;
}

/** A payer's wallet in memory whose reservation the backend made: its counter, and payments to test terminals. */
export class ReservedWallet {
  counter: WalletCounter = FRESH_COUNTER;
  readonly reservation: WalletReservation;
  private readonly clock: () => number;

  /** `clock` dates the payments (Unix seconds); the system clock by default. */
  constructor(reservation: WalletReservation, clock: () => number = unixNow) {
    this.reservation = reservation;
    this.clock = clock;
  }

  get reservationId(): Uint8Array {
    return openSigned(SIGNED.walletCertificate, this.reservation.certificate).value.reservationId;
  }

  /** Pays a fresh request of `terminal` (checked by it); `reuse` signs under an earlier counter. */
  pay(terminal: TestTerminal, amount: number, options: { reuse?: WalletCounter; now?: number; trustList?: VerifiedTrustList } = {}): Uint8Array {
    const now = options.now ?? this.clock();
    const paid = payRequest(terminal.requestText(amount, 'SEK', now), this.reservation, options.reuse ?? this.counter, {
      trustList: options.trustList ?? terminal.trustList,
      now,
      verify: nodeVerify,
    });
    if (!paid.ok) throw new Error(`${paid.refusal}: ${paid.detail}`);
    if (options.reuse === undefined) this.counter = paid.counter;
    const checked = terminal.verify(paid.text, now);
    if (!checked.ok) throw new Error(`terminal ${terminal.terminalId} refused the payment: ${checked.reason}`);
    return bundleBytesOf(paid.text);
  }
}

export async function reserveAtBackend(client: BackendClient, account: string, amount: number): Promise<ReservedWallet> {
  const signer = nodeSigner(generateP256PrivateKey());
  const answer = await client.reserve({ account, walletKey: signer.publicKey, currency: 'SEK', amount });
  if (!answer.ok) throw new Error(`reservation failed: ${answer.error.detail}`);
  return new ReservedWallet({ certificate: answer.value.certificate, signer });
}
