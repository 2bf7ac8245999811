/**
 * `kassa serve` as a real child process (`./kassa serve`): exactly one line on stdout when it
 * is ready, 401 without the token, the app socket with it, a clean exit on SIGTERM and SIGINT
 * that frees the data folder; on a fresh data folder and on one enrolled with the real backend.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppHost } from '../../host/app-host.ts';
import { connect, startHeadlessWorld, type HeadlessWorld } from '../../../test/support/headless.ts';
import { ExampleRegister } from '../../../sim/ecr/example-register.ts';
import type { TillState } from '../../contract/schemas.ts';
import { tempFolders } from '../../../test/support/temp.ts';
import { kassa } from '../../../test/support/cli.ts';
import { waitUntil } from '../../../test/support/wait.ts';

const KASSA = fileURLToPath(new URL('../../../kassa', import.meta.url));
const READY = /^Kassa listening on http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{43})\n$/;
const tempFolder = tempFolders();

/** The environment without the KASSA_* variables a developer's shell may carry. */
const cleanEnv = () => Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('KASSA_')));

interface Served {
  child: ChildProcess;
  port: number;
  token: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `./kassa serve ARGS` and resolves once it printed its ready line. */
function serve(args: string[]): Promise<Served> {
  const child = spawn(KASSA, ['serve', ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
      const ready = READY.exec(stdout);
      if (ready !== null) resolve({ child, port: Number(ready[1]), token: ready[2]!, stdout: () => stdout, stderr: () => stderr, exited });
      else if (stdout.includes('\n')) reject(new Error(`not the ready line: ${JSON.stringify(stdout)}`));
    });
    child.stderr!.on('data', (chunk: Buffer) => void (stderr += chunk.toString('utf8')));
    void exited.then((code) => reject(new Error(`kassa serve exited ${code} before it was ready: ${stderr}`)));
  });
}

let world: HeadlessWorld;
beforeAll(async () => {
  world = await startHeadlessWorld();
}, 60_000);
afterAll(() => world?.close());

// Each test starts Node, the command line and (enrolled) a VSE process: generous on a loaded machine.
describe('kassa serve', { timeout: 120_000 }, () => {
  it('on a fresh data folder: one line on stdout, 401 without the token, the socket with it, exit 0 on SIGTERM', async () => {
    const data = join(tempFolder('kassa-serve-'), 'data');
    const served = await serve(['--port', '0', '--data', data]);
    const origin = `http://127.0.0.1:${served.port}`;
    for (const path of ['/', '/app.js', '/api/ws']) expect((await fetch(`${origin}${path}`)).status, path).toBe(401);
    expect((await fetch(`${origin}/?token=${served.token}`, { redirect: 'manual' })).status).toBe(303);
    const page = await connect(served, { bearer: served.token });
    expect(await page.transport.session).toMatchObject({ role: 'cashier', enrolled: false, pinSet: false, pairingAvailable: false });
    expect(await page.client.call('terminal.status', {})).toMatchObject({ state: 'unconfigured', enrolled: false });

    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(await page.transport.closed).toMatchObject({ code: 1001 });
    expect(served.stdout()).toMatch(READY); // still that one line, and nothing after it
    // The data folder is free again.
    const host = await AppHost.open({ dataDir: data, env: {} });
    await host.close();
  });

  it('on an enrolled data folder: the terminal is ready; SIGINT shuts it down in order', async () => {
    const data = await world.enrolledFolder('served');
    const served = await serve(['--data', data, '--port', '0']);
    const page = await connect(served, { bearer: served.token });
    expect(await page.transport.session).toMatchObject({ enrolled: true });
    expect(await page.client.call('terminal.status', {})).toMatchObject({ state: 'ready', enrolled: true, merchantName: 'Shop served' });
    served.child.kill('SIGINT');
    expect(await served.exited).toBe(0);
    expect(served.stdout()).toMatch(READY);
    expect(served.stderr()).toContain('SIGINT: shutting down');
  });

  it('carries the cash registers\' API: a register added with kassa ecr add pays through it end to end', async () => {
    const data = await world.enrolledFolder('register');
    const added = await kassa(['ecr', 'add', 'front-register', '--json', '--data', data], { env: cleanEnv() });
    expect(added.code, added.stderr).toBe(0);
    const { token } = JSON.parse(added.stdout) as { token: string };
    const served = await serve(['--data', data, '--port', '0']);
    const cashier = await connect(served, { bearer: served.token });
    const register = new ExampleRegister({ url: `http://127.0.0.1:${served.port}`, token, saleId: 'FRONT' });
    // The register waits for the payment's end (nexo's synchronous Payment) while the customer pays.
    const paying = register.pay({ amount: '12.90', currency: 'SEK', reference: 'SALE-77' });
    let awaiting: TillState | undefined;
    await waitUntil('the register\'s request on the till', async () => {
      awaiting = await cashier.client.call('payments.state', {});
      return awaiting.phase === 'awaiting';
    });
    if (awaiting?.phase !== 'awaiting') throw new Error('no request');
    expect(awaiting.request).toMatchObject({ amount: 1290, currency: 'SEK', reference: 'SALE-77', origin: 'ecr' });
    const payer = await world.payer();
    const verdict = await cashier.client.call('payments.submit', { text: await payer.pay(awaiting.request.text), channel: 'keyboard' });
    expect(verdict).toMatchObject({ outcome: 'paid', forOpenRequest: true });
    const answer = await paying;
    expect(answer.outcome).toMatchObject({ result: 'Success', authorizedAmount: '12.90', currency: 'SEK', receipt: expect.stringMatching(/^KA1:/) });
    expect(answer.outcome.poiTransactionId).toBe(verdict.outcome === 'rejected' ? undefined : verdict.payment.iouId);
    // Without its token, or with the cashier's, the registers' API is closed.
    expect((await new ExampleRegister({ url: `http://127.0.0.1:${served.port}`, token: served.token }).pay({ amount: '1.00', currency: 'SEK', reference: 'X' })).status).toBe(401);
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
  });

  it('with --lan names the pairing address on stderr, not stdout', async () => {
    const data = join(tempFolder('kassa-serve-'), 'data');
    const served = await serve(['--data', data, '--port', '0', '--lan']);
    await waitUntil('the pairing address on stderr', () => served.stderr().includes('customer displays pair at http://'));
    const page = await connect(served, { bearer: served.token });
    expect(await page.transport.session).toMatchObject({ pairingAvailable: true });
    served.child.kill('SIGTERM');
    expect(await served.exited).toBe(0);
    expect(served.stdout()).toMatch(READY);
  });

  it('says so and exits 1 when the port is taken; exits 2 on a bad option', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const run = await kassa(['serve', '--port', String(port), '--data', join(tempFolder('kassa-serve-'), 'data')], { env: cleanEnv() });
      expect(run).toMatchObject({ code: 1, stdout: '' });
      expect(run.stderr).toContain(`cannot listen on port ${port} (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
    const bad = await kassa(['serve', '--port', 'eighty'], { env: cleanEnv() });
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toContain('--port must be a whole number');
  });
});
