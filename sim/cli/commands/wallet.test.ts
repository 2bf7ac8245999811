/**
 * `kassa wallet` end to end, every step a real process: the backend (`kassa backend`), the
 * wallet command line spawned for each reserve and pay, and settlement of what it paid.
 * The terminals are test terminals enrolled at that backend (the VSE's job, later).
 */
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePaymentBundle, SETTLEMENT_STATUS } from '../../../protocol/index.ts';
import { bundleBytesOf, type TestTerminal } from '../../fixtures/terminal.ts';
import { enrollTerminal, startBackendFixture, type BackendFixture } from '../../../test/support/backend.ts';
import { kassa as runKassa } from '../../../test/support/cli.ts';
import { isoAlphanumericVersion, pngOfRaster, quietZoneOf, rasteriseTerminal, rasterOfPng, readQrCode } from '../../../test/support/qr-witness.ts';

const kassa = (args: string[], stdin?: string) => runKassa(args, { stdin });

let fx: BackendFixture;
let shop: TestTerminal;
let kiosk: TestTerminal;
let walletFile: string;
const now = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  fx = await startBackendFixture();
  await fx.admin.createAccount('demo', 'SEK', 100_000);
  shop = await enrollTerminal(fx, 'TERM-SHOP', 'M-SHOP');
  kiosk = await enrollTerminal(fx, 'TERM-KIOSK', 'M-KIOSK');
  walletFile = join(fx.folder, 'wallet.json');
});

afterAll(async () => {
  await fx?.close();
});

describe('kassa wallet', () => {
  it('reserves funds from a backend into a wallet file it alone can read', async () => {
    const run = await kassa(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '20000', '--wallet', walletFile]);
    expect(run.code, run.stderr).toBe(0);
    const reserved = JSON.parse(run.stdout) as { ok: boolean; reservationId: string; account: string; amount: number; currency: string };
    expect(reserved).toMatchObject({ ok: true, account: 'demo', amount: 20_000, currency: 'SEK' });
    expect(run.stderr).toContain(`trusting root key ${fx.backend.rootKeys[0]}`);
    expect(statSync(walletFile).mode & 0o777).toBe(0o600);
    expect(await fx.admin.account('demo')).toMatchObject({ balance: 80_000, held: 20_000 });
    expect((await fx.admin.reservation(reserved.reservationId)).amount).toBe(20_000);

    const again = await kassa(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '1', '--wallet', walletFile]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('--replace')]);
  });

  it('pays consecutive requests offline, counting seq and spend in the file, as text, QR and PNG', async () => {
    const first = await kassa(['wallet', 'pay', '--wallet', walletFile, shop.requestText(12_900, 'SEK', now())]);
    expect(first.code, first.stderr).toBe(0);
    const firstText = first.stdout.split('\n')[0]!;
    expect(shop.verify(firstText, now()).ok).toBe(true);
    expect(decodePaymentBundle(firstText).iou.value).toMatchObject({ seq: 1, spentBefore: 0, amount: 12_900, payee: 'TERM-SHOP' });

    const png = join(fx.folder, 'payment.png');
    const second = await kassa(['wallet', 'pay', '--wallet', walletFile, '--json', '--qr', '--png', png, '-'], shop.requestText(4_550, 'SEK', now()));
    expect(second.code, second.stderr).toBe(0);
    const [jsonLine, ...qrLines] = second.stdout.split('\n');
    const paid = JSON.parse(jsonLine!) as { text: string; seq: number; spentBefore: number; counter: { nextSeq: number; spent: number } };
    expect(paid).toMatchObject({ seq: 2, spentBefore: 12_900, counter: { nextSeq: 3, spent: 17_450 } });
    expect(shop.verify(paid.text, now()).ok).toBe(true);
    // ZXing-C++ reads both back, at the smallest version (13-M at most, OIP/1 §3), quiet zone and all.
    const fromPng = await readQrCode(readFileSync(png));
    expect(fromPng).toEqual({ text: paid.text, version: isoAlphanumericVersion(paid.text.length), ecLevel: 'M' });
    expect(fromPng.version).toBeLessThanOrEqual(13);
    expect(quietZoneOf(rasterOfPng(readFileSync(png)), 17 + 4 * fromPng.version)).toEqual({ top: 4, right: 4, bottom: 4, left: 4 });
    expect(await readQrCode(pngOfRaster(rasteriseTerminal(qrLines.join('\n'), 2, 8)))).toEqual(fromPng);
    expect(second.stderr).toContain(`QR code (version ${fromPng.version}-M) written to ${png}`);

    const show = await kassa(['wallet', 'show', '--wallet', walletFile]);
    const state = JSON.parse(show.stdout) as Record<string, unknown>;
    expect(state).toMatchObject({ counter: { nextSeq: 3, spent: 17_450 } });
    expect(show.stdout).not.toContain('privateKey');
  });

  it('refuses what it must not pay, and says why', async () => {
    const tooMuch = await kassa(['wallet', 'pay', '--wallet', walletFile, shop.requestText(5_000, 'SEK', now())]);
    expect([tooMuch.code, tooMuch.stderr]).toEqual([1, expect.stringContaining('INSUFFICIENT_FUNDS')]);
    const garbage = await kassa(['wallet', 'pay', '--wallet', walletFile, 'KR1:NOT BASE45!']);
    expect([garbage.code, garbage.stderr]).toEqual([1, expect.stringContaining('REQUEST_INVALID')]);
    const euros = await kassa(['wallet', 'pay', '--wallet', walletFile, shop.requestText(100, 'EUR', now())]);
    expect([euros.code, euros.stderr]).toEqual([1, expect.stringContaining('CURRENCY_MISMATCH')]);
    const nowhere = await kassa(['wallet', 'pay', '--wallet', walletFile, '--png', join(fx.folder, 'no-such-folder', 'p.png'), shop.requestText(100, 'SEK', now())]);
    expect([nowhere.code, nowhere.stderr]).toEqual([2, expect.stringContaining('cannot be written')]); // and nothing was paid:
    expect(JSON.parse((await kassa(['wallet', 'show', '--wallet', walletFile])).stdout)).toMatchObject({ counter: { nextSeq: 3, spent: 17_450 } });

    const usage = await kassa(['wallet', 'reserve', '--amount', '5']);
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining('--backend is required')]);
    const missing = await kassa(['wallet', 'pay', '--wallet', join(fx.folder, 'none.json'), shop.requestText(1, 'SEK', now())]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('cannot read wallet file')]);

    writeFileSync(`${walletFile}.lock`, '1\n');
    const locked = await kassa(['wallet', 'pay', '--wallet', walletFile, shop.requestText(1, 'SEK', now())]);
    expect([locked.code, locked.stderr]).toEqual([1, expect.stringContaining('in use by another process')]);
    rmSync(`${walletFile}.lock`);
  });

  it('--double-spend reuses the last sequence number at another terminal; settlement catches it as DOUBLE_SPEND', async () => {
    const spent = await kassa(['wallet', 'pay', '--wallet', walletFile, '--double-spend', kiosk.requestText(5_000, 'SEK', now())]);
    expect(spent.code, spent.stderr).toBe(0);
    expect(spent.stderr).toContain('DOUBLE SPEND');
    const doubleText = spent.stdout.split('\n')[0]!;
    expect(decodePaymentBundle(doubleText).iou.value).toMatchObject({ seq: 2, spentBefore: 12_900, payee: 'TERM-KIOSK' });
    expect(kiosk.verify(doubleText, now()).ok).toBe(true); // offline, alone, the kiosk cannot tell

    const { payments } = JSON.parse(readFileSync(walletFile, 'utf8')) as { payments: { text: string; doubleSpend: boolean }[] };
    expect(payments.map((p) => p.doubleSpend)).toEqual([false, false, true]);
    const shopAnswer = await fx.client.settle(randomUUID(), shop.batch(payments.slice(0, 2).map((p) => bundleBytesOf(p.text))));
    expect(shopAnswer.ok && shopAnswer.value.results.map((r) => r.status)).toEqual([SETTLEMENT_STATUS.SETTLED, SETTLEMENT_STATUS.SETTLED]);
    // 17,450 settled of 20,000 reserved: the kiosk's 5,000 cannot be covered.
    const kioskAnswer = await fx.client.settle(randomUUID(), kiosk.batch([bundleBytesOf(doubleText)]));
    expect(kioskAnswer.ok && kioskAnswer.value.results.map((r) => [r.status, r.reason])).toEqual([[SETTLEMENT_STATUS.DOUBLE_SPEND, 'conflict']]);
    expect((await fx.admin.audit()).problems).toEqual([]);
  });

  it('pins a root key given with --root-key and refuses a backend whose trust list it does not sign', async () => {
    const pinned = join(fx.folder, 'pinned.json');
    const good = await kassa(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '100', '--wallet', pinned, '--root-key', fx.backend.rootKeys[0]!]);
    expect([good.code, good.stderr]).toEqual([0, '']);
    const otherRoot = `02${'11'.repeat(32)}`;
    const bad = await kassa(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '100', '--wallet', join(fx.folder, 'bad.json'), '--root-key', otherRoot]);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('does not verify with the root key')]);
  });
});
