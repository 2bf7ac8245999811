/**
 * The reference backend as a real process (`kassa backend --port 0`) on 127.0.0.1, driven
 * through the terminal's §5 client and the admin API: the whole Reserve → Pay → Settle story
 * over HTTP, idempotent retries, double spends across two terminals, grace and release on the
 * test clock, problem documents for bad bodies, fast-check garbage, kill -9 and restart.
 */
import { randomUUID } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BACKEND_PATH,
  encodeDeterministic,
  encodeObject,
  enrollmentRequest,
  IDEMPOTENCY_KEY_HEADER,
  MEDIA_TYPE,
  PROBLEM_TYPE,
  reservationRequest,
  SETTLEMENT_STATUS,
  toHex,
  verifyTrustList,
  type SettlementResponse,
} from '../../protocol/index.ts';
import { main } from '../cli/kassa.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { enrollTerminal, reserveAtBackend, startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import type { TestTerminal } from '../fixtures/terminal.ts';
import { startBackendProcess } from './process.ts';
import { DEFAULT_MAX_BODY_BYTES } from './server.ts';

let fx: BackendFixture;
let terminalA: TestTerminal;
let terminalB: TestTerminal;

beforeAll(async () => {
  fx = await startBackendFixture();
  await fx.admin.createAccount('alice', 'SEK', 10_000_000);
  terminalA = await enrollTerminal(fx, 'TERM-A', 'M-A');
  terminalB = await enrollTerminal(fx, 'TERM-B', 'M-B');
});

afterAll(async () => {
  await fx?.close();
});

async function settled(terminal: TestTerminal, bundles: Uint8Array[], key = randomUUID()): Promise<SettlementResponse & { replayed: boolean }> {
  const answer = await fx.client.settle(key, terminal.batch(bundles));
  if (!answer.ok) throw new Error(`${answer.error.code}: ${answer.error.detail}`);
  return answer.value;
}

const statuses = (response: SettlementResponse) => response.results.map((r) => [r.status, r.reason ?? null]);

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>): Promise<{ status: number; mediaType: string | null; text: string }> {
  const response = await fetch(`${fx.backend.url}${path}`, { method: 'POST', body, headers, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, mediaType: response.headers.get('content-type'), text: await response.text() };
}

describe('kassa backend, a real process', () => {
  it('prints where it listens; serves its root key and a trust list that verifies with it', async () => {
    expect(fx.backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const rootKeys = await fx.client.rootKeys();
    expect(rootKeys.ok && rootKeys.value.map(toHex)).toEqual(fx.backend.rootKeys);
    const trustList = await fx.client.trustList();
    expect(trustList.ok).toBe(true);
    const verified = verifyTrustList(trustList.ok ? trustList.value : new Uint8Array(), fx.rootKeys, nodeVerify);
    expect(verified.ok && verified.trustList.value.keys.map((k) => k.role).sort()).toEqual([1, 2]);
  });

  it('runs Reserve → Pay → Settle end to end and keeps the books balanced', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 50_000);
    const answer = await settled(terminalA, [wallet.pay(terminalA, 12_900), wallet.pay(terminalA, 4_550)]);
    expect(statuses(answer)).toEqual([
      [SETTLEMENT_STATUS.SETTLED, null],
      [SETTLEMENT_STATUS.SETTLED, null],
    ]);
    expect(answer.replayed).toBe(false);
    const reservation = await fx.admin.reservation(toHex(wallet.reservationId));
    expect(reservation).toMatchObject({ amount: 50_000, settled: 17_450, state: 'held' });
    expect((await fx.admin.audit()).problems).toEqual([]);
  });

  it('answers a retried POST from its store and moves no money twice; 422 for the same key with another body', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 50_000);
    const key = randomUUID();
    const batch = terminalA.batch([wallet.pay(terminalA, 1_000), wallet.pay(terminalA, 2_000)]);
    const first = await fx.client.settle(key, batch);
    const retry = await fx.client.settle(key, batch);
    expect(first.ok && retry.ok).toBe(true);
    if (!first.ok || !retry.ok) return;
    expect(retry.value.replayed).toBe(true);
    expect(retry.value.results).toEqual(first.value.results);
    expect((await fx.admin.reservation(toHex(wallet.reservationId))).settled).toBe(3_000);

    const other = await fx.client.settle(key, terminalA.batch([wallet.pay(terminalA, 5)]));
    expect(other.ok).toBe(false);
    if (other.ok || other.error.code !== 'PROBLEM') throw new Error('expected a problem');
    expect([other.error.status, other.error.problem.type, other.error.retryable]).toEqual([422, PROBLEM_TYPE.idempotencyKeyReused, false]);
    expect((await fx.admin.reservation(toHex(wallet.reservationId))).settled).toBe(3_000);
  });

  it('double spend across two terminals the reservation cannot cover: first paid, the other DOUBLE_SPEND, both kept', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 10_000);
    const before = wallet.counter;
    const atA = wallet.pay(terminalA, 8_000);
    const atB = wallet.pay(terminalB, 8_000, { reuse: before });
    expect(statuses(await settled(terminalA, [atA]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(statuses(await settled(terminalB, [atB]))).toEqual([[SETTLEMENT_STATUS.DOUBLE_SPEND, 'conflict']]);
    const view = await fx.admin.reservation(toHex(wallet.reservationId));
    expect(view.settled).toBe(8_000);
    expect(view.ious.map((i) => [i.terminalId, i.seq, i.paid, i.status])).toEqual([
      ['TERM-A', 1, true, SETTLEMENT_STATUS.SETTLED],
      ['TERM-B', 1, false, SETTLEMENT_STATUS.DOUBLE_SPEND],
    ]);
    expect(view.conflicts.map((c) => c.kind)).toEqual(['SEQ_REUSED']);
    expect((await fx.admin.terminalIous('TERM-B')).find((i) => i.reservationId === view.reservationId)).toMatchObject({ status: 4, paid: false });
  });

  it('double spend across two terminals the reservation covers: both paid, the second with reason conflict, evidence kept', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 10_000);
    const before = wallet.counter;
    const atA = wallet.pay(terminalA, 3_000);
    const atB = wallet.pay(terminalB, 3_000, { reuse: before });
    expect(statuses(await settled(terminalA, [atA]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect(statuses(await settled(terminalB, [atB]))).toEqual([[SETTLEMENT_STATUS.SETTLED, 'conflict']]);
    const view = await fx.admin.reservation(toHex(wallet.reservationId));
    expect(view.settled).toBe(6_000);
    expect(view.conflicts).toHaveLength(1);
    expect(view.ious.every((i) => i.text.startsWith('KP1:'))).toBe(true);
    expect((await fx.admin.audit()).ok).toBe(true);
  });

  it('answers bad requests with RFC 9457 problem documents', async () => {
    const cbor = { 'content-type': MEDIA_TYPE.cbor };
    const cases: [string, Promise<{ status: number; mediaType: string | null; text: string }>, number, string][] = [
      ['garbage CBOR enrollment', post(BACKEND_PATH.terminals, new Uint8Array([0xff, 0x00]), cbor), 400, PROBLEM_TYPE.malformedBody],
      ['enrollment as JSON', post(BACKEND_PATH.terminals, '{}', { 'content-type': 'application/json' }), 415, PROBLEM_TYPE.unsupportedMediaType],
      ['enrollment with an unknown field', post(BACKEND_PATH.terminals, encodeDeterministic(new Map([[9, 1]])), cbor), 400, PROBLEM_TYPE.malformedBody],
      ['reservation with no body', post(BACKEND_PATH.reservations, new Uint8Array(), cbor), 400, PROBLEM_TYPE.malformedBody],
      ['settlement without a key', post(BACKEND_PATH.settlements, new Uint8Array([0xa0]), cbor), 400, PROBLEM_TYPE.idempotencyKeyRequired],
      ['settlement that is no batch', post(BACKEND_PATH.settlements, new Uint8Array([0xa0]), { ...cbor, [IDEMPOTENCY_KEY_HEADER]: randomUUID() }), 400, PROBLEM_TYPE.malformedBody],
      ['oversized enrollment', post(BACKEND_PATH.terminals, new Uint8Array(100_000), cbor), 413, PROBLEM_TYPE.bodyTooLarge],
      ['admin account with a bad currency', post('/admin/v1/accounts', '{"accountId":"x","currency":"sek"}', { 'content-type': 'application/json' }), 400, PROBLEM_TYPE.malformedBody],
      ['admin account not JSON', post('/admin/v1/accounts', '{', { 'content-type': 'application/json' }), 400, PROBLEM_TYPE.malformedBody],
      ['an unknown path', post('/v2/anything', 'x', {}), 404, PROBLEM_TYPE.notFound],
      ['POST to the trust list', post(BACKEND_PATH.trustList, 'x', {}), 405, PROBLEM_TYPE.methodNotAllowed],
    ];
    for (const [what, request, status, type] of cases) {
      const answer = await request;
      expect([what, answer.status, answer.mediaType]).toEqual([what, status, MEDIA_TYPE.problem]);
      const problem = JSON.parse(answer.text) as { type: string; status: number; title: string; detail: string };
      expect([what, problem.type, problem.status]).toEqual([what, type, status]);
      expect(problem.detail.length).toBeGreaterThan(0);
    }
  });

  it('survives fast-check garbage on every endpoint, answering 4xx problem documents, and still works after', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 10_000);
    const validBatch = terminalA.batch([wallet.pay(terminalA, 100)]);
    const validEnrollment = encodeObject(enrollmentRequest, terminalA.enrollmentRequest('no-such-token'));
    const validReservation = encodeObject(reservationRequest, { account: 'nobody', walletKey: terminalA.signer.publicKey, currency: 'SEK', amount: 1 });
    const mutated = (valid: Uint8Array) =>
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }).map((flips) => {
        const copy = new Uint8Array(valid);
        for (const [at, xor] of flips) copy[at % copy.length]! ^= xor;
        return copy;
      });
    const cborMap = fc
      .array(fc.tuple(fc.integer({ min: 0, max: 12 }), fc.oneof(fc.integer(), fc.string(), fc.uint8Array({ maxLength: 40 }), fc.boolean(), fc.constant(null))), { maxLength: 6 })
      .map((entries) => encodeDeterministic(new Map(entries)));
    const body = (valid: Uint8Array) => fc.oneof(fc.uint8Array({ maxLength: 600 }), cborMap, mutated(valid));
    const request = fc.oneof(
      fc.record({ path: fc.constant(BACKEND_PATH.terminals), body: body(validEnrollment), key: fc.constant(undefined) }),
      fc.record({ path: fc.constant(BACKEND_PATH.reservations), body: body(validReservation), key: fc.constant(undefined) }),
      fc.record({ path: fc.constant(BACKEND_PATH.settlements), body: body(validBatch), key: fc.oneof(fc.uuid(), fc.string({ maxLength: 40 })) }),
    );
    const mediaType = fc.oneof(fc.constant(MEDIA_TYPE.cbor), fc.constant(`${MEDIA_TYPE.cbor}; charset=x`), fc.constant('text/plain'), fc.constant(''));

    await fc.assert(
      fc.asyncProperty(request, mediaType, async ({ path, body: bytes, key }, type) => {
        const headers: Record<string, string> = type === '' ? {} : { 'content-type': type };
        if (key !== undefined && /^[\x21-\x7e]*$/.test(key)) headers[IDEMPOTENCY_KEY_HEADER] = key;
        const answer = await post(path, bytes, headers);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(answer.mediaType).toBe(MEDIA_TYPE.problem);
        expect(JSON.parse(answer.text)).toMatchObject({ status: answer.status, type: expect.stringMatching(/^tag:kassa/) });
      }),
      { numRuns: 300 },
    );

    // Bytes that are not HTTP at all.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (garbage) => {
        await new Promise<void>((resolve) => {
          const socket = connect(fx.backend.port, '127.0.0.1', () => socket.end(garbage));
          socket.on('data', () => {});
          socket.on('error', () => resolve());
          socket.on('close', () => resolve());
          socket.setTimeout(2_000, () => socket.destroy());
        });
      }),
      { numRuns: 50 },
    );

    expect(fx.backend.child.exitCode).toBeNull();
    expect((await fx.client.trustList()).ok).toBe(true);
    expect(statuses(await settled(terminalA, [wallet.pay(terminalA, 200)]))).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
    expect((await fx.admin.audit()).problems).toEqual([]);
  });

  it('runs the operator actions of `kassa backend` on the database file while the server runs', async () => {
    const out: string[] = [];
    const io = { stdout: (text: string) => void out.push(text), stderr: (text: string) => void out.push(text), readStdin: async () => '' };
    expect(await main(['backend', 'add-account', '--db', fx.db, '--account', 'carol', '--currency', 'SEK', '--balance', '5000'], io)).toBe(0);
    expect((await fx.admin.account('carol')).balance).toBe(5_000);
    expect(await main(['backend', 'deposit', '--db', fx.db, '--account', 'carol', '--amount', '250'], io)).toBe(0);
    out.length = 0;
    expect(await main(['backend', 'token', '--db', fx.db, '--merchant-id', 'M-C', '--merchant-name', 'Carol\'s Café', '--terminal-id', 'TERM-C'], io)).toBe(0);
    const { token } = JSON.parse(out.join('')) as { token: string };
    const enrolled = await fx.client.enroll({ enrollmentToken: token, terminalId: 'TERM-C', terminalKey: terminalA.signer.publicKey });
    // terminalA's key is enrolled already: the token is good, the key is not.
    expect(!enrolled.ok && enrolled.error.code === 'PROBLEM' && enrolled.error.problem.type).toBe(PROBLEM_TYPE.terminalKeyTaken);
    out.length = 0;
    expect(await main(['backend', 'root-key', '--db', fx.db], io)).toBe(0);
    expect(out.join('').trim()).toBe(fx.backend.rootKeys[0]);
    out.length = 0;
    expect(await main(['backend', 'show', '--db', fx.db, '--account', 'carol'], io)).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ accountId: 'carol', balance: 5_250, held: 0 });
    expect(await main(['backend', 'add-account', '--db', fx.db, '--account', 'carol', '--currency', 'SEK'], io)).toBe(1);
    expect(await main(['backend', 'show', '--db', `${fx.db}.missing`, '--audit'], io)).toBe(2);
    out.length = 0;
    expect(await main(['backend', '--db', `${fx.folder}/no/such/folder/backend.sqlite`], io)).toBe(1);
    expect(out.join('')).toContain('cannot open backend database');
  });
});

describe('kassa backend over time and across restarts', () => {
  it('settles within the grace period after expiry, then releases the rest to the account (test clock)', async () => {
    const timed = await startBackendFixture({ reservationTtlSeconds: 3_600, settlementGraceSeconds: 7_200 });
    try {
      await timed.admin.createAccount('dora', 'SEK', 10_000);
      const terminal = await enrollTerminal(timed, 'TERM-T', 'M-T');
      const wallet = await reserveAtBackend(timed.client, 'dora', 6_000);
      const inTime = wallet.pay(terminal, 1_000);
      const tooLate = wallet.pay(terminal, 2_000);
      await timed.admin.advanceClock(3_600 + 7_000); // past expiry, inside the grace period
      const answer = await timed.client.settle(randomUUID(), terminal.batch([inTime]));
      expect(answer.ok && statuses(answer.value)).toEqual([[SETTLEMENT_STATUS.SETTLED, null]]);
      expect(await timed.admin.account('dora')).toMatchObject({ balance: 4_000, held: 5_000 });

      const advanced = await timed.admin.advanceClock(201); // the window has closed
      expect(advanced.released).toBe(1);
      expect(await timed.admin.account('dora')).toMatchObject({ balance: 9_000, held: 0 });
      expect(await timed.admin.reservation(toHex(wallet.reservationId))).toMatchObject({ state: 'released', settled: 1_000, released: 5_000 });
      const late = await timed.client.settle(randomUUID(), terminal.batch([tooLate]));
      expect(late.ok && statuses(late.value)).toEqual([[SETTLEMENT_STATUS.REJECTED, 'RESERVATION_EXPIRED']]);
      expect((await timed.admin.audit()).problems).toEqual([]);
    } finally {
      await timed.close();
    }
  });

  it('keeps its keys, money and idempotent answers through kill -9 and a restart on the same port', async () => {
    const first = await startBackendFixture();
    let second: Awaited<ReturnType<typeof startBackendProcess>> | undefined;
    try {
      await first.admin.createAccount('erik', 'SEK', 10_000);
      const terminal = await enrollTerminal(first, 'TERM-R', 'M-R');
      const wallet = await reserveAtBackend(first.client, 'erik', 5_000);
      const key = randomUUID();
      const batch = terminal.batch([wallet.pay(terminal, 1_500)]);
      const before = await first.client.settle(key, batch);
      expect(before.ok).toBe(true);
      expect(await first.backend.kill('SIGKILL')).toBe('SIGKILL');

      const down = await first.client.settle(key, batch);
      expect(!down.ok && down.error.code).toBe('NETWORK');

      second = await startBackendProcess({ db: first.db, port: first.backend.port, logLevel: 'warn' });
      expect(second.rootKeys).toEqual(first.backend.rootKeys);
      const after = await first.client.settle(key, batch);
      expect(after.ok && after.value.replayed).toBe(true);
      expect(after.ok && before.ok && after.value.results).toEqual(before.ok && before.value.results);
      expect(await first.admin.account('erik')).toMatchObject({ balance: 5_000, held: 3_500 });
      expect((await first.admin.audit()).problems).toEqual([]);
    } finally {
      await second?.stop();
      await first.close();
    }
  });
});

const externalAddress = Object.values(networkInterfaces())
  .flat()
  .find((address) => address !== undefined && address.family === 'IPv4' && !address.internal)?.address;

describe('admin endpoints', () => {
  if (externalAddress === undefined) console.warn('skipping the non-loopback admin test: this machine has no non-loopback IPv4 address');
  it.skipIf(externalAddress === undefined)('are refused to peers that are not on loopback', async () => {
    const open = await startBackendFixture({ host: '0.0.0.0' });
    try {
      const remote = await fetch(`http://${externalAddress}:${open.backend.port}/admin/v1/audit`);
      expect(remote.status).toBe(403);
      expect(((await remote.json()) as { type: string }).type).toBe(PROBLEM_TYPE.adminOnly);
      expect((await fetch(`http://${externalAddress}:${open.backend.port}${BACKEND_PATH.trustList}`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${open.backend.port}/admin/v1/audit`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

/** One kept-alive HTTP/1.1 connection over a plain socket: what a client sees, byte for byte. */
class RawConnection {
  private received = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  /** A reset or a broken pipe: what a client sees when the server drops it mid-request. */
  error: Error | undefined;
  ended = false;
  private readonly socket: Socket;
  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.wake();
    });
    socket.on('error', (error) => {
      this.error = error;
      this.wake();
    });
    socket.on('end', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('close', () => this.wake());
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => resolve(new RawConnection(socket)));
      socket.once('error', reject);
    });
  }

  /** Writes all of `bytes`, in 1 MiB pieces, waiting for the socket to take each. */
  async send(bytes: Buffer | string): Promise<void> {
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    for (let at = 0; at < data.length; at += 1 << 20) {
      await new Promise<void>((resolve, reject) => this.socket.write(data.subarray(at, at + (1 << 20)), (error) => (error ? reject(error) : resolve())));
    }
  }

  /** The next whole response (head and Content-Length body), or undefined if the connection ended first. */
  async response(): Promise<{ status: number; head: string; body: string } | undefined> {
    for (;;) {
      const end = this.received.indexOf('\r\n\r\n');
      if (end >= 0) {
        const head = this.received.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (this.received.length >= end + 4 + length) {
          const body = this.received.subarray(end + 4, end + 4 + length).toString('utf8');
          this.received = this.received.subarray(end + 4 + length);
          return { status: Number(head.split(' ')[1]), head, body };
        }
      }
      if (this.ended || this.error || this.socket.destroyed) return undefined;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Resolves once the server has closed its side. */
  async closedByServer(): Promise<boolean> {
    while (!this.ended && !this.error && !this.socket.destroyed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.ended;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }
}

describe('bodies larger than a call takes', () => {
  const headOf = (path: string, headers: Record<string, string | number>) =>
    `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('')}\r\n`;
  const settlementHeaders = (length: number) => ({ 'content-type': MEDIA_TYPE.cbor, [IDEMPOTENCY_KEY_HEADER]: randomUUID(), 'content-length': length });
  const trustListRequest = `GET ${BACKEND_PATH.trustList} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`;

  function expectTooLarge(answer: { status: number; head: string; body: string } | undefined, limit: number): void {
    expect(answer?.status).toBe(413);
    expect(answer?.head).toMatch(new RegExp(`\\r\\ncontent-type: ${MEDIA_TYPE.problem.replace('+', '\\+')}\\r\\n`, 'i'));
    expect(JSON.parse(answer!.body)).toMatchObject({ type: PROBLEM_TYPE.bodyTooLarge, status: 413, detail: `the body may be at most ${limit} bytes` });
  }

  it('Expect: 100-continue with a Content-Length over the limit: 413 instead of 100 Continue, before any of the body is sent', async () => {
    const connection = await RawConnection.open(fx.backend.port);
    try {
      await connection.send(headOf(BACKEND_PATH.settlements, { ...settlementHeaders(DEFAULT_MAX_BODY_BYTES + 1), expect: '100-continue' }));
      const answer = await connection.response();
      expectTooLarge(answer, DEFAULT_MAX_BODY_BYTES);
      // Not asked for the body, the client has nothing in flight: the server closes cleanly.
      expect(await connection.closedByServer()).toBe(true);
      expect(connection.error).toBeUndefined();
    } finally {
      connection.close();
    }
  });

  it('Expect: 100-continue with a body that fits: 100 Continue, then the answer to the call', async () => {
    const wallet = await reserveAtBackend(fx.client, 'alice', 10_000);
    const batch = Buffer.from(terminalA.batch([wallet.pay(terminalA, 300)]));
    const connection = await RawConnection.open(fx.backend.port);
    try {
      await connection.send(headOf(BACKEND_PATH.settlements, { ...settlementHeaders(batch.length), expect: '100-continue' }));
      expect((await connection.response())?.status).toBe(100);
      await connection.send(batch);
      expect((await connection.response())?.status).toBe(200);
      expect((await fx.admin.reservation(toHex(wallet.reservationId))).settled).toBe(300);
    } finally {
      connection.close();
    }
  });

  it('a client that sends the oversized body anyway reads the 413, and its connection still serves the next request', async () => {
    const connection = await RawConnection.open(fx.backend.port);
    try {
      const size = DEFAULT_MAX_BODY_BYTES + 1;
      await connection.send(Buffer.concat([Buffer.from(headOf(BACKEND_PATH.settlements, settlementHeaders(size))), Buffer.alloc(size, 0xa0)]));
      expectTooLarge(await connection.response(), DEFAULT_MAX_BODY_BYTES);
      await connection.send(trustListRequest);
      expect((await connection.response())?.status).toBe(200);
      expect(connection.error).toBeUndefined();
    } finally {
      connection.close();
    }
  });

  it('a chunked body that runs past the limit: 413 once it does, the rest is read and dropped, and the connection goes on', async () => {
    const connection = await RawConnection.open(fx.backend.port);
    try {
      await connection.send(headOf(BACKEND_PATH.terminals, { 'content-type': MEDIA_TYPE.cbor, 'transfer-encoding': 'chunked' }));
      const chunk = Buffer.concat([Buffer.from('4000\r\n'), Buffer.alloc(0x4000, 0xa0), Buffer.from('\r\n')]);
      await connection.send(Buffer.concat([...Array.from({ length: 16 }, () => chunk), Buffer.from('0\r\n\r\n')]));
      expectTooLarge(await connection.response(), 64 * 1024);
      await connection.send(trustListRequest);
      expect((await connection.response())?.status).toBe(200);
      expect(connection.error).toBeUndefined();
    } finally {
      connection.close();
    }
  });
});
