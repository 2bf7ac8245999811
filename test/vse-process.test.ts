/**
 * The VSE as a real process under the Node permission model, driven through the host's
 * supervisor: what the sandbox blocks, garbage on the port, the database key, test mode,
 * concurrent accepts, nothing readable at rest, crash and timeout handling.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { forkLauncher, type VseProcess } from '../main/vse/launcher.ts';
import type { VseSupervisor } from '../main/vse/supervisor.ts';
import { VSE_METHOD_NAMES, vseToHostMessage } from '../vse/contract/rpc.ts';
import { requestAndPay, startEnrolledVse, supervisorFor, tempDataDir, terminalCertificateFor, testScheme, TestWallet, type TestScheme } from './support/vse.ts';

let world: TestScheme;
let data: { dir: string; remove: () => void };
const running: VseSupervisor[] = [];

async function start(options: Partial<Parameters<typeof startEnrolledVse>[1]> = {}): Promise<VseSupervisor> {
  const vse = await startEnrolledVse(world, { dataDir: data.dir, ...options });
  running.push(vse);
  return vse;
}

beforeEach(() => {
  world = testScheme();
  data = tempDataDir();
});
/** Further data folders a test made, removed after its VSEs stopped. */
const moreData: { remove: () => void }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((vse) => vse.stop()));
  data.remove();
  for (const folder of moreData.splice(0)) folder.remove();
});

describe('sandbox', () => {
  it('the permission model blocks writes outside the data folder, child processes and workers', async () => {
    const vse = await start();
    const outside = tempDataDir('kassa-outside-');
    moreData.push(outside);
    const target = join(outside.dir, 'escaped.txt');
    const probe = await vse.call('testProbePermissions', { outsidePath: target });
    expect(probe).toEqual({ fsWriteOutside: 'denied: ERR_ACCESS_DENIED', childProcess: 'denied: ERR_ACCESS_DENIED', worker: 'denied: ERR_ACCESS_DENIED' });
    expect(existsSync(target)).toBe(false);
    outside.remove();
  });
});

describe('the port', () => {
  it('answers garbage with typed errors and never crashes', async () => {
    const child: VseProcess = forkLauncher({ dataDir: data.dir, testMode: true })();
    const replies: unknown[] = [];
    let exited = false;
    child.onExit(() => (exited = true));
    await new Promise<void>((resolve) =>
      child.onMessage((message) => {
        const parsed = vseToHostMessage.safeParse(message);
        if (parsed.success && parsed.data.kind === 'ready') resolve();
        else replies.push(message);
      }),
    );
    const nearMisses = fc.oneof(
      fc.record({ kind: fc.constant('request'), id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), method: fc.string(), params: fc.anything() }),
      fc.record({ kind: fc.constant('request'), id: fc.nat(), method: fc.constantFrom('init', 'accept', 'installTrustList', 'nextBatch', 'recordSettlementResult'), params: fc.anything() }),
    );
    // A port carries a string, number, boolean or object at the top (Node refuses anything else before sending).
    const samples = fc
      .sample(fc.oneof(fc.anything({ withBigInt: true, withNullPrototype: true, withTypedArray: true, withMap: true, withSet: true, withDate: true }), nearMisses), 300)
      .filter((sample) => ['string', 'number', 'boolean', 'object'].includes(typeof sample));
    for (const sample of samples) child.send(sample);
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(samples.length);
    for (const reply of replies) {
      const parsed = vseToHostMessage.parse(reply);
      expect(parsed.kind === 'response' && !parsed.ok && ['BAD_REQUEST', 'NOT_INITIALIZED'].includes(parsed.error.code)).toBe(true);
    }
    // Initialised, the same again: every method with random parameters gets a typed refusal.
    replies.length = 0;
    child.send({ kind: 'request', id: 1, method: 'init', params: { dataDir: data.dir, databaseKey: new Uint8Array(32), rootKeys: [world.scheme.root.publicKey] } });
    await expect.poll(() => replies.length).toBe(1);
    expect(replies.pop()).toMatchObject({ id: 1, ok: true });
    const afterInit = fc.sample(nearMisses, 300);
    for (const sample of afterInit) child.send(sample);
    await expect.poll(() => replies.length, { timeout: 10_000 }).toBe(afterInit.length);
    for (const reply of replies) {
      const parsed = vseToHostMessage.parse(reply);
      expect(parsed.kind === 'response' && !parsed.ok && parsed.error.code !== 'INTERNAL', JSON.stringify(reply)).toBe(true);
    }
    expect(exited).toBe(false);
    child.kill('SIGKILL');
  });
});

describe('parameters', () => {
  it('are checked for every method against the contract, those that take none too: junk gets BAD_REQUEST and changes nothing', async () => {
    const vse = await start();
    const junk: unknown[] = [{ junk: 1 }, null, 'text', [1, 2], 7];
    for (const method of VSE_METHOD_NAMES) {
      for (const params of junk) {
        await expect(vse.call(method as 'status', params as never), `${method}(${JSON.stringify(params)})`).rejects.toMatchObject({
          code: 'BAD_REQUEST',
          message: expect.stringContaining(`${method}:`),
        });
      }
    }
    // Still up and initialised once: shutdown and init with junk did nothing.
    for (const method of ['status', 'unsettled', 'settlementIssues', 'verifyAuditLog', 'exportAuditLog'] as const) await expect(vse.call(method, {})).resolves.toBeDefined();
  });
});

describe('keys and modes', () => {
  it('refuses a wrong database key with a clear typed error', async () => {
    const vse = await start({ databaseKey: new Uint8Array(32).fill(1) });
    await vse.stop();
    const wrong = supervisorFor(world, { dataDir: data.dir, databaseKey: new Uint8Array(32).fill(2) });
    await expect(wrong.start()).rejects.toMatchObject({ code: 'WRONG_DATABASE_KEY', message: expect.stringContaining('cannot be read with this key') });
    expect(wrong.state).toBe('failed');
    await expect(wrong.call('status', {})).rejects.toMatchObject({ code: 'VSE_UNAVAILABLE' });
  });

  it('a production VSE refuses the test clock, and a test-mode database', async () => {
    const productionData = tempDataDir();
    const cleanData = tempDataDir();
    moreData.push(productionData, cleanData);
    const production = supervisorFor(world, { dataDir: productionData.dir, testMode: false, init: { testClockOffsetSeconds: 3600 } });
    await expect(production.start()).rejects.toMatchObject({ code: 'TEST_MODE_ONLY' });
    const clean = supervisorFor(world, { dataDir: cleanData.dir, testMode: false });
    running.push(clean);
    await clean.start();
    await expect(clean.call('testSetClockOffset', { seconds: 3600 })).rejects.toMatchObject({ code: 'TEST_MODE_ONLY' });
    // A database created in test mode is never opened by a production VSE.
    await (await start()).stop();
    const onTestData = supervisorFor(world, { dataDir: data.dir, testMode: false });
    await expect(onTestData.start()).rejects.toMatchObject({ code: 'TEST_MODE_MISMATCH' });
  });

  it('in test mode the clock moves: a request expires', async () => {
    const vse = await start();
    const request = await vse.call('createPaymentRequest', { amount: 500, currency: 'SEK', ttlSeconds: 60 });
    const text = new TestWallet(world).pay(request.text);
    await vse.call('testSetClockOffset', { seconds: 61 });
    await expect(vse.call('accept', { text, context: { channel: 'test' } })).resolves.toMatchObject({ outcome: 'rejected', reason: 'REQUEST_EXPIRED' });
  });
});

describe('accepting', () => {
  it('two scanners sending the same IOU at once get exactly one acceptance', async () => {
    const vse = await start();
    const text = await requestAndPay(vse, new TestWallet(world));
    const outcomes = await Promise.all(Array.from({ length: 6 }, () => vse.call('accept', { text, context: { channel: 'qr-scanner' } })));
    expect(outcomes.every((o) => o.outcome === 'accepted')).toBe(true);
    expect(outcomes.filter((o) => o.outcome === 'accepted' && !o.duplicate)).toHaveLength(1);
    expect((await vse.call('listPayments', { limit: 10 })).payments).toHaveLength(1);
  });

  it('leaves no payment field readable in the database, WAL or journal files', async () => {
    const vse = await start();
    const wallet = new TestWallet(world);
    const amount = 123_456_789;
    for (let i = 0; i < 20; i++) {
      const outcome = await vse.call('accept', { text: await requestAndPay(vse, wallet, amount), context: { channel: 'test' } });
      expect(outcome.outcome).toBe('accepted');
    }
    const needles: [string, Buffer][] = [
      ['terminal id', Buffer.from('TERM-0000042')],
      ['merchant name', Buffer.from('Stadsbageriet')],
      ['reservation id', Buffer.from(wallet.certificate.reservationId)],
      ['amount as CBOR', Buffer.from([0x1a, 0x07, 0x5b, 0xcd, 0x15])],
      ['amount as big-endian 64-bit', Buffer.from('00000000075bcd15', 'hex')],
      ['amount as text', Buffer.from(String(amount))],
    ];
    const occurrences = (bytes: Buffer, needle: Buffer) => {
      let count = 0;
      for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + 1)) count++;
      return count;
    };
    const search = () => {
      const files = readdirSync(data.dir);
      expect(files.some((f) => f.endsWith('-wal'))).toBe(true);
      for (const file of files) {
        const bytes = readFileSync(join(data.dir, file));
        for (const [name, needle] of needles) expect(bytes.includes(needle), `${name} in ${file}`).toBe(false);
        // Three bytes turn up by chance in a megabyte of ciphertext now and then (about one
        // run in twenty); stored in the clear, "SEK" would stand there forty times and more
        // (every payment, request and total).
        expect(occurrences(bytes, Buffer.from('SEK')), `currency in ${file}`).toBeLessThan(5);
      }
      return files;
    };
    expect(search()).toContain('vse.sqlite-wal'); // while running, with the WAL full of the new payments
    await vse.stop();
  });

  it('keeps its database, WAL and shared-memory files owner-only (0600), also a database an older release made 0644', async () => {
    const modes = () => Object.fromEntries(readdirSync(data.dir).map((file) => [file, (statSync(join(data.dir, file)).mode & 0o777).toString(8)]));
    const vse = await start();
    expect(await vse.call('accept', { text: await requestAndPay(vse, new TestWallet(world)), context: { channel: 'test' } })).toMatchObject({ outcome: 'accepted' });
    expect(modes()).toEqual({ 'vse.sqlite': '600', 'vse.sqlite-wal': '600', 'vse.sqlite-shm': '600' });
    await vse.stop();
    chmodSync(join(data.dir, 'vse.sqlite'), 0o644);
    const again = await start();
    await again.call('createPaymentRequest', { amount: 5, currency: 'SEK', ttlSeconds: 60 });
    expect(modes()).toEqual({ 'vse.sqlite': '600', 'vse.sqlite-wal': '600', 'vse.sqlite-shm': '600' });
  });
});

describe('supervisor', () => {
  it('fails a call in flight with VSE_CRASHED when the VSE dies, restarts it, and carries on', async () => {
    const vse = await start();
    const states: string[] = [];
    vse.on((event) => event.kind === 'state' && states.push(event.state));
    const firstPid = vse.pid!;
    const call = vse.call('verifyAuditLog', {});
    process.kill(firstPid, 'SIGKILL');
    await expect(call).rejects.toMatchObject({ code: expect.stringMatching(/^VSE_CRASHED$/) });
    const status = await vse.call('status', {});
    expect(status.certificate?.terminalId).toBe('TERM-0000042');
    expect(vse.pid).not.toBe(firstPid);
    expect(states).toEqual(['restarting', 'ready']);
  });

  it('times a call out with TIMEOUT when the VSE hangs, and never hangs itself', async () => {
    const vse = await start();
    const pid = vse.pid!;
    process.kill(pid, 'SIGSTOP');
    try {
      await expect(vse.call('status', {}, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    await expect(vse.call('status', {})).resolves.toMatchObject({ testMode: true });
  });

  it('pushes events: payment accepted and the outbox totals, published after the caller heard its answer', async () => {
    const vse = await start();
    const names: string[] = [];
    vse.on((event) => event.kind === 'vse' && names.push(event.event.name));
    const outcome = await vse.call('accept', { text: await requestAndPay(vse, new TestWallet(world)), context: { channel: 'nfc' } });
    expect({ outcome: outcome.outcome, heardBefore: [...names] }).toEqual({ outcome: 'accepted', heardBefore: [] });
    await expect.poll(() => names).toEqual(['payment-accepted', 'outbox-changed']);
  });

  it("sends a request's events in its response message, not as messages of their own", async () => {
    const child: VseProcess = forkLauncher({ dataDir: data.dir, testMode: true })();
    const messages: { kind?: string; id?: number; result?: unknown; events?: { name: string }[] }[] = [];
    child.onMessage((message) => messages.push(message as (typeof messages)[number]));
    await expect.poll(() => messages.some((m) => m.kind === 'ready'), { timeout: 15_000 }).toBe(true);
    let id = 0;
    const call = async (method: string, params: unknown) => {
      const sent = ++id;
      child.send({ kind: 'request', id: sent, method, params });
      await expect.poll(() => messages.some((m) => m.kind === 'response' && m.id === sent), { timeout: 15_000 }).toBe(true);
      return messages.find((m) => m.kind === 'response' && m.id === sent)!;
    };
    try {
      const init = (await call('init', { dataDir: data.dir, databaseKey: new Uint8Array(32).fill(0x42), rootKeys: [world.scheme.root.publicKey] })).result as { terminalKey: Uint8Array };
      await call('installTrustList', { trustList: world.trustListCose });
      await call('installTerminalCertificate', { certificate: terminalCertificateFor(world, init.terminalKey) });
      const request = (await call('createPaymentRequest', { amount: 1_000, currency: 'SEK', ttlSeconds: 120 })).result as { text: string };
      const accepted = await call('accept', { text: new TestWallet(world).pay(request.text, world.now), context: { channel: 'test' } });
      await call('status', {}); // messages keep their order: anything the accept sent on its own came before this answer
      expect(accepted.events?.map((event) => event.name)).toEqual(['payment-accepted', 'outbox-changed']);
      expect(messages.filter((m) => m.kind === 'event')).toEqual([]);
      for (const message of messages) expect(vseToHostMessage.safeParse(message).success).toBe(true);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
