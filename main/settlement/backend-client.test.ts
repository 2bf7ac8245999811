/**
 * The terminal's §5 client against the real backend process, and the typed failures it
 * reports. Failures the real backend cannot produce — a reverse proxy's HTML error page, an
 * answer for another batch or terminal — come from a small node:http server on 127.0.0.1
 * that stands in for such a misbehaving middlebox (named `impostor` below); the fault proxy's
 * own faults are tested in sim/faults.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeObject, MEDIA_TYPE, PROBLEM_TYPE, settlementResponse } from '../../protocol/index.ts';
import { TestTerminal } from '../../sim/fixtures/terminal.ts';
import { enrollTerminal, reserveAtBackend, startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import { generateP256PrivateKey, nodeSigner } from '../../base/node/node-es256.ts';
import { BackendClient, type BackendResult } from './backend-client.ts';

let fx: BackendFixture;

beforeAll(async () => {
  fx = await startBackendFixture();
  await fx.admin.createAccount('alice', 'SEK', 1_000_000);
});

afterAll(async () => {
  await fx?.close();
});

function failure<T>(result: BackendResult<T>) {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
}

/** An HTTP server on a free loopback port answering every request with `answer`. */
async function impostor(answer: (request: IncomingMessage, response: ServerResponse) => void): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => answer(request, response));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('BackendClient', () => {
  it('enrolls, reserves and settles against the real backend, checking each answer against the question', async () => {
    const terminal = await enrollTerminal(fx, 'TERM-C', 'M-C');
    const wallet = await reserveAtBackend(fx.client, 'alice', 5_000);
    const batch = terminal.batch([wallet.pay(terminal, 1_234)]);
    const settled = await fx.client.settle(randomUUID(), batch);
    expect(settled.ok && settled.value.results.map((r) => r.status)).toEqual([1]);
  });

  it('reports a refusal as PROBLEM with the backend\'s problem document, not retryable', async () => {
    const stranger = new TestTerminal('TERM-NOBODY');
    const error = failure(await fx.client.settle(randomUUID(), stranger.batch([])));
    expect(error.code).toBe('PROBLEM');
    if (error.code !== 'PROBLEM') return;
    expect([error.status, error.retryable, error.problem.type]).toEqual([403, false, PROBLEM_TYPE.terminalUnknown]);
    expect(error.detail).toContain('TERM-NOBODY');

    const enrollment = failure(await fx.client.enroll(stranger.enrollmentRequest('wrong-token')));
    expect(enrollment.code === 'PROBLEM' && enrollment.problem.type).toBe(PROBLEM_TYPE.enrollmentTokenInvalid);
    const reservation = failure(await fx.client.reserve({ account: 'nobody', walletKey: stranger.signer.publicKey, currency: 'SEK', amount: 1 }));
    expect(reservation.code === 'PROBLEM' && [reservation.status, reservation.problem.type]).toEqual([422, PROBLEM_TYPE.accountUnknown]);
  });

  it('reports a refused connection as NETWORK with the socket error', async () => {
    const nowhere = new BackendClient({ baseUrl: `http://127.0.0.1:${await freePort()}` });
    const error = failure(await nowhere.trustList());
    expect([error.code, error.retryable]).toEqual(['NETWORK', true]);
    expect(error.detail).toContain('ECONNREFUSED');
  });

  it('refuses answers larger than its limit as MALFORMED_ANSWER', async () => {
    const tight = new BackendClient({ baseUrl: fx.backend.url, maxAnswerBytes: 16 });
    expect(failure(await tight.trustList()).code).toBe('MALFORMED_ANSWER');
  });

  it('takes an error page that is no problem document as an about:blank problem with its status', async () => {
    const gateway = await impostor((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' }).end('<h1>Bad Gateway</h1>');
    });
    try {
      const error = failure(await new BackendClient({ baseUrl: gateway.url }).trustList());
      expect(error.code === 'PROBLEM' && [error.status, error.retryable, error.problem.type]).toEqual([502, true, 'about:blank']);
    } finally {
      await gateway.close();
    }
  });

  it('refuses answers that are not for what it asked: another batch, another terminal, the wrong media type', async () => {
    const terminal = new TestTerminal('TERM-Q');
    // A real certificate, but of another terminal.
    const other = new TestTerminal('TERM-OTHER');
    const { token } = await fx.admin.createEnrollmentToken({ merchantId: 'M-O', merchantName: 'Other' });
    const enrolled = await fx.client.enroll(other.enrollmentRequest(token));
    if (!enrolled.ok) throw new Error(enrolled.error.detail);
    const answers = {
      settlement: encodeObject(settlementResponse, { batchId: new Uint8Array(16), results: [] }),
      enrollment: enrolled.value.certificate,
    };
    const middlebox = await impostor((request, response) => {
      const body = request.url === '/v1/settlements' ? answers.settlement : answers.enrollment;
      response.writeHead(200, { 'content-type': request.url === '/v1/trust-list' ? 'text/plain' : MEDIA_TYPE.cbor }).end(body);
    });
    try {
      const client = new BackendClient({ baseUrl: middlebox.url });
      const settlement = failure(await client.settle(randomUUID(), terminal.batch([], new Uint8Array(16).fill(7))));
      expect([settlement.code, settlement.detail]).toEqual(['MALFORMED_ANSWER', expect.stringContaining('is for batch')]);
      const enrollment = failure(await client.enroll(terminal.enrollmentRequest('t')));
      expect([enrollment.code, enrollment.detail]).toEqual(['MALFORMED_ANSWER', expect.stringContaining('another terminal')]);
      const reservation = failure(await client.reserve({ account: 'a', walletKey: nodeSigner(generateP256PrivateKey()).publicKey, currency: 'SEK', amount: 1 }));
      expect(reservation.code).toBe('MALFORMED_ANSWER'); // a terminal certificate where a wallet certificate belongs
      expect(failure(await client.trustList()).detail).toContain('text/plain');
    } finally {
      await middlebox.close();
    }
  });

  it('throws for its caller\'s own mistake: an idempotency key that is not a UUID', async () => {
    await expect(fx.client.settle('batch-1', new TestTerminal('TERM-X').batch([]))).rejects.toThrow(TypeError);
  });
});
