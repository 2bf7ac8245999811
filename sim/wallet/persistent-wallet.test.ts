/**
 * The persistent wallet against the reference backend in-process (its real SQLite file; the
 * HTTP round trip is covered by `kassa wallet`'s own end-to-end test).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodePaymentBundle, encodeObject, enrollmentRequest, reservationRequest } from '../../protocol/index.ts';
import { ReferenceBackend } from '../backend/backend.ts';
import { TestTerminal } from '../fixtures/terminal.ts';
import { payFromWallet, reserveWallet, WalletError, type ReservationPort } from './persistent-wallet.ts';
import { WalletFileError } from './wallet-file.ts';

let folder: string;
let backend: ReferenceBackend;
let terminal: TestTerminal;
let path: string;
const now = () => Math.floor(Date.now() / 1000);

beforeEach(async () => {
  folder = mkdtempSync(join(tmpdir(), 'kassa-wallet-'));
  backend = ReferenceBackend.open({ path: join(folder, 'backend.sqlite') });
  backend.createAccount('demo', 'SEK', 10_000);
  terminal = new TestTerminal('TERM-P');
  const enrolled = backend.enroll(encodeObject(enrollmentRequest, terminal.enrollmentRequest(backend.createEnrollmentToken({ merchantId: 'M', merchantName: 'M' }).token)));
  if (!enrolled.ok) throw new Error(enrolled.problem.detail);
  terminal.install(enrolled.value.certificate, backend.trustList(), backend.rootPublicKeys());
  path = join(folder, 'wallet.json');
  const port: ReservationPort = {
    reserve: async (request) => {
      const answer = backend.reserve(encodeObject(reservationRequest, request));
      if (!answer.ok) throw new Error(answer.problem.detail);
      return answer.value.certificate;
    },
    trustList: async () => backend.trustList(),
  };
  await reserveWallet({ path, port, backendUrl: 'in-process', rootKeys: backend.rootPublicKeys(), account: 'demo', currency: 'SEK', amount: 5_000, now: now() });
});

afterEach(() => {
  backend.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('the persistent wallet', () => {
  it('continues its sequence across processes: the counter is read from and written to the file', async () => {
    const first = await payFromWallet(path, terminal.requestText(1_000, 'SEK', now()), { now: now() });
    const second = await payFromWallet(path, terminal.requestText(500, 'SEK', now()), { now: now() });
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    expect([first.payment.seq, second.payment.seq, second.payment.spentBefore]).toEqual([1, 2, 1_000]);
    const onDisk = JSON.parse(readFileSync(path, 'utf8')) as { counter: unknown; payments: { iouId: string }[] };
    expect(onDisk.counter).toEqual({ nextSeq: 3, spent: 1_500 });
    expect(onDisk.payments.map((p) => p.iouId)).toEqual([first.payment.iouId, second.payment.iouId]);
  });

  it('double-spends only on purpose, reusing the last honest seq and leaving the counter alone', async () => {
    await expect(payFromWallet(path, terminal.requestText(1, 'SEK', now()), { now: now(), doubleSpend: true })).rejects.toBeInstanceOf(WalletError);
    await payFromWallet(path, terminal.requestText(1_000, 'SEK', now()), { now: now() });
    const again = await payFromWallet(path, terminal.requestText(2_000, 'SEK', now()), { now: now(), doubleSpend: true });
    expect(again.ok && decodePaymentBundle(again.payment.text).iou.value).toMatchObject({ seq: 1, spentBefore: 0, amount: 2_000 });
    expect(again.ok && again.state.counter).toEqual({ nextSeq: 2, spent: 1_000 });
  });

  it('pays a wrong amount only on purpose: the IOU names the request but another amount, and counts as spent', async () => {
    const request = terminal.requestText(1_000, 'SEK', now());
    const wrong = await payFromWallet(path, request, { now: now(), amount: 900 });
    expect(wrong.ok && decodePaymentBundle(wrong.payment.text).iou.value).toMatchObject({ seq: 1, spentBefore: 0, amount: 900 });
    expect(wrong.ok && wrong.state.counter).toEqual({ nextSeq: 2, spent: 900 });
    // Still a valid IOU by itself (signature, reservation): only the terminal's request check refuses it.
    expect(wrong.ok && terminal.verify(wrong.payment.text, now()).ok).toBe(true);
    const tooMuch = await payFromWallet(path, request, { now: now(), amount: 5_000 });
    expect(tooMuch).toMatchObject({ ok: false, refusal: 'INSUFFICIENT_FUNDS' });
  });

  it('turns a file with an unreadable key or certificate into a typed INVALID error', async () => {
    const state = JSON.parse(readFileSync(path, 'utf8')) as { reservation: { privateKey: string } };
    state.reservation.privateKey = 'abcd';
    writeFileSync(path, JSON.stringify(state));
    await expect(payFromWallet(path, terminal.requestText(1, 'SEK', now()), { now: now() })).rejects.toSatisfy(
      (error) => error instanceof WalletFileError && error.code === 'INVALID',
    );
  });
});
