// Enrollment with the real parts: the reference backend as a process, a VSE process in a
// fresh data folder, `enroll()` as `kassa enroll` runs it.
import { createServer, type Server } from 'node:http';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestTerminal } from '../../sim/fixtures/terminal.ts';
import { startBackendFixture, type BackendFixture } from '../../test/support/backend.ts';
import { closedPort } from '../../test/support/cli.ts';
import { readTerminalConfig } from './config.ts';
import { defaultTerminalId, enroll, type EnrollOptions } from './enrollment.ts';
import { openTerminal } from './terminal-host.ts';

let fx: BackendFixture;
let rootKey: string;
beforeAll(async () => {
  fx = await startBackendFixture();
  rootKey = fx.backend.rootKeys[0]!;
});
afterAll(() => fx?.close());

let folders = 0;
const dataDir = () => join(fx.folder, `terminal-${++folders}`);
const token = async (terminalId?: string) => (await fx.admin.createEnrollmentToken({ merchantId: 'M-ENROLL', merchantName: 'Enroll & Co', terminalId })).token;
const options = (overrides: Partial<EnrollOptions>): EnrollOptions => ({ dataDir: dataDir(), env: {}, backendUrl: fx.backend.url, token: '', rootKeys: [rootKey], ...overrides });

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected enrollment to fail');
}

describe('enroll', () => {
  it('makes the key in the VSE, gets it certified, installs trust list and certificate, writes the config; again, it only refreshes', async () => {
    const dir = dataDir();
    const first = await enroll(options({ dataDir: dir, token: await token() }));
    expect(first).toMatchObject({ merchantId: 'M-ENROLL', merchantName: 'Enroll & Co', trustListVersion: 1, alreadyEnrolled: false, databaseKey: { kind: 'file', created: true } });
    expect(first.terminalId).toBe(defaultTerminalId(Buffer.from(first.terminalKey, 'hex')));
    expect(readTerminalConfig(join(dir, 'config.json'))).toEqual({ format: 'kassa-terminal/1', backendUrl: fx.backend.url, rootKeys: [rootKey] });
    expect(statSync(dir).mode & 0o777).toBe(0o700);

    const again = await enroll(options({ dataDir: dir, token: 'used-or-not-it-does-not-matter', rootKeys: [] }));
    expect(again).toMatchObject({ terminalId: first.terminalId, terminalKey: first.terminalKey, alreadyEnrolled: true });
    const host = await openTerminal({ dataDir: dir, env: {} });
    try {
      expect((await host.vse.call('status', {})).certificate).toMatchObject({ terminalId: first.terminalId, merchantName: 'Enroll & Co' });
      expect(await host.vse.call('createPaymentRequest', { amount: 100, currency: 'SEK', ttlSeconds: 60 })).toMatchObject({ text: expect.stringMatching(/^KR1:/) });
    } finally {
      await host.close();
    }
  });

  it('says so when the token is refused, and writes no config', async () => {
    const dir = dataDir();
    expect(await refusal(enroll(options({ dataDir: dir, token: 'no-such-token' })))).toMatchObject({ code: 'TOKEN_INVALID', message: expect.stringMatching(/unknown, already used, expired/) });
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
    expect(await refusal(enroll(options({ token: await token('T-SOMEONE-ELSE'), terminalId: 'T-ME' })))).toMatchObject({ code: 'TOKEN_INVALID' });
  });

  it('says so when the backend cannot be reached', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const refused = await refusal(enroll(options({ backendUrl: url, token: 'whatever' })));
    expect(refused).toMatchObject({ code: 'BACKEND_UNREACHABLE', message: expect.stringMatching(new RegExp(`${url}.*ECONNREFUSED`)) });
  });

  it('refuses a backend whose trust list the root key does not vouch for; the right key then works', async () => {
    const dir = dataDir();
    const wrongRoot = `02${'11'.repeat(32)}`;
    expect(await refusal(enroll(options({ dataDir: dir, token: await token(), rootKeys: [wrongRoot] })))).toMatchObject({ code: 'TRUST_LIST_INVALID', message: expect.stringMatching(/root key/) });
    expect((await enroll(options({ dataDir: dir, token: await token() }))).alreadyEnrolled).toBe(false);
  });

  it('keeps a terminal in its scheme and under its id', async () => {
    const dir = dataDir();
    await enroll(options({ dataDir: dir, token: await token('T-KEPT'), terminalId: 'T-KEPT' }));
    expect(await refusal(enroll(options({ dataDir: dir, token: await token(), terminalId: 'T-RENAMED' })))).toMatchObject({ code: 'ALREADY_ENROLLED' });
    expect(await refusal(enroll(options({ dataDir: dir, token: await token(), rootKeys: [`02${'22'.repeat(32)}`] })))).toMatchObject({ code: 'CONFIG_CONFLICT' });
    expect(await refusal(enroll(options({ token: await token(), terminalId: 'T-KEPT' })))).toMatchObject({ code: 'TERMINAL_ID_TAKEN' });
  });

  it('refuses the data folder while another host holds it', async () => {
    const dir = dataDir();
    await enroll(options({ dataDir: dir, token: await token() }));
    const host = await openTerminal({ dataDir: dir, env: {} });
    try {
      expect(await refusal(enroll(options({ dataDir: dir, token: await token() })))).toMatchObject({ code: 'DATA_FOLDER_IN_USE' });
    } finally {
      await host.close();
    }
  });

  it('refuses a certificate that is not for this terminal', async () => {
    // A backend that answers enrollment with another terminal's (genuine) certificate: the
    // reference backend never does, so a small server in front of it does.
    const stranger = new TestTerminal('T-STRANGER');
    const issued = await fx.client.enroll(stranger.enrollmentRequest(await token()));
    if (!issued.ok) throw new Error(issued.error.detail);
    const server: Server = createServer((request, response) => {
      if (request.method === 'POST' && request.url === '/v1/terminals') {
        request.resume();
        response.writeHead(201, { 'content-type': 'application/cbor' }).end(issued.value.certificate);
        return;
      }
      fetch(`${fx.backend.url}${request.url}`).then(async (answer) => {
        response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' }).end(Buffer.from(await answer.arrayBuffer()));
      }, () => response.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as { port: number }).port;
      const refused = await refusal(enroll(options({ backendUrl: `http://127.0.0.1:${port}`, token: await token() })));
      expect(refused).toMatchObject({ code: 'CERTIFICATE_MISMATCH', message: expect.stringMatching(/another terminal id or key/) });
    } finally {
      server.close();
    }
  });
});
