/**
 * The terminal's commands by hand, every step a real process, as docs/settlement.md walks a
 * newcomer through them: `kassa backend` (the fixture), `kassa enroll`, `kassa request`,
 * `kassa wallet pay`, `kassa accept`, `kassa status`, `kassa settle` — and what they say
 * when something is wrong.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackendFixture, type BackendFixture } from '../../../test/support/backend.ts';
import { closedPort, kassa } from '../../../test/support/cli.ts';
import { isoAlphanumericVersion, pngOfRaster, rasteriseTerminal, readQrCode } from '../../../test/support/qr-witness.ts';

let fx: BackendFixture;
let data: string;
let wallet: string;
/** The commands' environment: no KASSA_* of the machine running the tests leaks in. */
const env = { PATH: process.env.PATH ?? '' };
const withData = (args: string[]) => [...args, '--data', data];

beforeAll(async () => {
  fx = await startBackendFixture();
  await fx.admin.createAccount('alice', 'SEK', 100_000);
  data = join(fx.folder, 'terminal');
  wallet = join(fx.folder, 'wallet.json');
});
afterAll(() => fx?.close());

// Each test runs a dozen or more real processes one after another: a few seconds each on a
// loaded 2-core machine, hence their budgets.
describe('the terminal by hand', () => {
  it('enrolls, asks for payments, takes them offline, shows them, settles them', { timeout: 150_000 }, async () => {
    const { token } = await fx.admin.createEnrollmentToken({ merchantId: 'M-HAND', merchantName: 'Handelsboden' });
    const enrolled = await kassa(withData(['enroll', '--backend', fx.backend.url, `--token=${token}`, '--root-key', fx.backend.rootKeys[0]!]), { env });
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const terminalId = JSON.parse(enrolled.stdout).terminalId as string;
    expect(enrolled.stderr).toMatch(/enrolled as T-[0-9A-F]{16} for Handelsboden/);
    expect(enrolled.stderr).toMatch(/made the database key .*database\.key \(mode 0600\)/);
    expect((await kassa(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '20000', '--account', 'alice', '--wallet', wallet, '--root-key', fx.backend.rootKeys[0]!], { env })).code).toBe(0);

    const receipts: string[] = [];
    // The first request and receipt also as QR codes, on screen and in PNG files, read back by
    // ZXing-C++: the exact text, at level M in the smallest version that holds it.
    const screenQr = (lines: string[]) => readQrCode(pngOfRaster(rasteriseTerminal(lines.join('\n'), 2, 8)));
    const fileQr = (path: string) => readQrCode(readFileSync(path));
    const shown = (text: string | undefined) => ({ text, version: isoAlphanumericVersion(text!.length), ecLevel: 'M' });
    for (const [amount, asQr] of [['12900', true], ['4550', false]] as const) {
      const requestPng = join(fx.folder, `request-${amount}.png`);
      const receiptPng = join(fx.folder, `receipt-${amount}.png`);
      const qrOptions = (png: string) => (asQr ? ['--qr', '--png', png] : []);
      const request = await kassa(withData(['request', '--amount', amount, ...qrOptions(requestPng)]), { env });
      expect(request.code, request.stderr).toBe(0);
      const [requestText, ...requestQr] = request.stdout.split('\n');
      expect(requestText).toMatch(/^KR1:/);
      const paid = await kassa(['wallet', 'pay', '--wallet', wallet, requestText!], { env });
      const accepted = await kassa(withData(['accept', ...qrOptions(receiptPng), '-']), { env, stdin: paid.stdout });
      expect(accepted.code, accepted.stderr).toBe(0);
      const [outcome, receipt, ...receiptQr] = accepted.stdout.split('\n');
      if (asQr) {
        expect([await screenQr(requestQr), await fileQr(requestPng)]).toEqual([shown(requestText), shown(requestText)]);
        expect([await screenQr(receiptQr), await fileQr(receiptPng)]).toEqual([shown(receipt), shown(receipt)]);
      }
      expect(JSON.parse(outcome!)).toMatchObject({ outcome: 'accepted', duplicate: false, payment: { amount: Number(amount), settlement: 'PENDING', channel: 'keyboard' } });
      expect(receipt).toMatch(/^KA1:/);
      receipts.push(receipt!);
    }
    const request = await kassa(withData(['request', '--amount', '2000']), { env });
    const copy = await kassa(['wallet', 'pay', '--double-spend', '--wallet', wallet, request.stdout.split('\n')[0]!], { env });
    const refused = await kassa(withData(['accept', copy.stdout.split('\n')[0]!]), { env });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ outcome: 'rejected', reason: 'DOUBLE_SPEND' });

    const before = await kassa(withData(['status']), { env });
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(new RegExp(`Terminal: +${terminalId}, Handelsboden`));
    expect(before.stdout).toMatch(/Unsettled: +2 payments, 174\.50 SEK/);
    expect(before.stdout).toMatch(/Last success: never/);
    expect(before.stdout).toMatch(/Evidence: +1 double spend/);

    const settleStarted = Date.now();
    const settled = await kassa(withData(['settle']), { env });
    const settleEnded = Date.now();
    expect(settled.code, settled.stderr).toBe(0);
    expect(settled.stdout.match(/^SETTLED +IOU [0-9a-f]{64}$/gm)).toHaveLength(2);
    expect(settled.stdout).toMatch(/Unsettled: +none/);
    expect((await fx.admin.merchant('M-HAND'))?.balances).toEqual([{ currency: 'SEK', balance: 17_450 }]);

    const after = JSON.parse((await kassa(withData(['status', '--json']), { env })).stdout);
    expect(after).toMatchObject({ unsettled: [], lastError: null, attention: [], doubleSpendEvidence: 1, terminal: { terminalId } });
    // Recorded by that settle, on the wall clock in ms.
    expect(after.lastSuccessAt).toBeGreaterThanOrEqual(settleStarted);
    expect(after.lastSuccessAt).toBeLessThanOrEqual(settleEnded);
    const again = JSON.parse((await kassa(withData(['settle', '--json']), { env })).stdout);
    expect(again).toMatchObject({ ok: true, batches: 0, results: [] });
  });

  it('says what is wrong: no configuration, an unreachable backend, a key file others can read, bad arguments', { timeout: 150_000 }, async () => {
    const empty = join(fx.folder, 'empty');
    const unset = await kassa(['status', '--data', empty], { env });
    expect(unset.code).toBe(1);
    expect(unset.stderr).toMatch(/not set up yet .*kassa enroll --backend URL --token T --root-key HEX \[NOT_CONFIGURED\]/);

    const offline = join(fx.folder, 'offline');
    const { token } = await fx.admin.createEnrollmentToken({ merchantId: 'M-OFF', merchantName: 'Off' });
    expect((await kassa(['enroll', '--data', offline, '--backend', fx.backend.url, `--token=${token}`, '--root-key', fx.backend.rootKeys[0]!], { env })).code).toBe(0);
    writeFileSync(join(offline, 'config.json'), JSON.stringify({ format: 'kassa-terminal/1', backendUrl: `http://127.0.0.1:${await closedPort()}`, rootKeys: fx.backend.rootKeys }));
    const notReached = await kassa(['settle', '--data', offline], { env });
    expect(notReached.code).toBe(1);
    expect(notReached.stderr).toMatch(/stopped: NETWORK: .*ECONNREFUSED.*nothing is lost/);
    const status = await kassa(['status', '--data', offline], { env });
    expect(status.stdout).toMatch(/Last error: +NETWORK/);

    chmodSync(join(offline, 'database.key'), 0o644);
    const insecure = await kassa(['status', '--data', offline], { env });
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toMatch(/can be read or written by other users \(mode 0644\).*chmod 600 .*\[KEY_FILE_INSECURE\]/);

    expect((await kassa(['request', '--data', offline], { env })).stderr).toMatch(/--amount is required/);
    expect((await kassa(['enroll', '--backend', 'nope', '--token', 't'], { env })).code).toBe(2);
    expect((await kassa(['accept', '--channel', 'carrier-pigeon', 'KP1:'], { env })).code).toBe(2);
  });
});
