/**
 * The PN532 reader against an emulated PN532 over real socat ptys, with a real phone wallet
 * (sim/wallet) behind the antenna: a real KP1: bundle comes out and verifies, a real KA1:
 * receipt goes back and the wallet checks its signature.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPayment } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { Pn532Emulator } from '../../sim/devices/pn532.ts';
import { PhoneWallet } from '../../sim/devices/phone-wallet.ts';
import { Type2Tag, Type4Tag } from '../../sim/devices/nfc-tags.ts';
import { paymentText, paymentWorld, receiptText, requestText, REALISTIC, type PaymentWorld } from '../../sim/fixtures/payments.ts';
import { record, waitUntil } from '../../test/support/wait.ts';
import { DeviceFailure } from '../core/errors.ts';
import { encodeNdefText } from './ndef.ts';
import { Pn532Reader, WalletRefusal } from './nfc-reader.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp() {
  const pn532 = await Pn532Emulator.start();
  const reader = new Pn532Reader({ path: pn532.hostPath, retryMs: 50, pollIntervalMs: 20 });
  cleanups.push(() => pn532.close(), () => reader.stop());
  const statuses = record(reader, 'status');
  reader.start();
  await waitUntil('the reader to initialise the PN532', () => reader.status.state === 'ready');
  return { pn532, reader, statuses };
}

function phoneFor(world: PaymentWorld, extendedLength = false): PhoneWallet {
  return new PhoneWallet({
    reservation: { certificate: world.walletCertificateCose, signer: world.wallet },
    trustList: world.trustList,
    now: () => world.now,
    verify: nodeVerify,
    extendedLength,
  });
}

function verifies(world: PaymentWorld, text: string): boolean {
  return verifyPayment(text, { trustList: world.trustList, now: world.now, terminalId: REALISTIC.terminalId, verify: nodeVerify }).ok;
}

describe('Pn532Reader with a phone wallet over HCE', () => {
  it('wakes the chip, reads its firmware, moves a real KP1: bundle with chained short APDUs, and returns a real KA1: receipt', async () => {
    const { pn532, reader } = await setUp();
    expect(reader.firmware).toEqual({ ic: 0x32, version: 1, revision: 6, support: 7 });
    expect(pn532.commands.slice(0, 3)).toEqual([0x14, 0x02, 0x32]); // SAMConfiguration first, as the chip demands
    const world = paymentWorld();
    const phone = phoneFor(world);
    pn532.present(phone);

    const request = requestText(world);
    const payment = await reader.readPayment(request, { timeoutMs: 15_000 });
    expect(payment.via).toBe('hce');
    expect(payment.text).toBe(phone.payments[0]);
    expect(verifies(world, payment.text)).toBe(true);
    // The 481-character request needs two chained command APDUs; the ~480-character answer
    // comes as 256 bytes + GET RESPONSE, and 256 bytes plus status exceed a normal frame.
    expect(request.length).toBeGreaterThan(255);
    expect(pn532.extendedFramesOut).toBeGreaterThan(0);

    await payment.sendReceipt(receiptText(world, payment.text));
    await payment.release();
    expect(phone.receipts).toMatchObject([{ valid: true }]);
    expect(phone.counter).toEqual({ nextSeq: 2, spent: REALISTIC.amount });
  });

  it('uses one extended APDU each way when the phone takes them, chaining InDataExchange with MI both ways', async () => {
    const { pn532, reader } = await setUp();
    const world = paymentWorld();
    pn532.present(phoneFor(world, true));
    const payment = await reader.readPayment(requestText(world), { timeoutMs: 15_000 });
    expect(verifies(world, payment.text)).toBe(true);
    expect(pn532.chainedFramesIn).toBeGreaterThan(0);
    expect(pn532.chainedFramesOut).toBeGreaterThan(0);
    await payment.sendReceipt(receiptText(world, payment.text));
    await payment.release();
  });

  it("reports the wallet's refusal with its reason code", async () => {
    const { pn532, reader } = await setUp();
    const world = paymentWorld();
    pn532.present(phoneFor(world));
    const refused = reader.readPayment(requestText(world, { amount: REALISTIC.reservedAmount + 1 }), { timeoutMs: 15_000 });
    await expect(refused).rejects.toBeInstanceOf(WalletRefusal);
    await expect(refused).rejects.toMatchObject({ refusal: 'INSUFFICIENT_FUNDS' });
  });

  it('gives up with TIMEOUT when nothing is presented', async () => {
    const { reader } = await setUp();
    const error = await reader.readPayment('KR1:X', { timeoutMs: 300 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceFailure);
    expect((error as DeviceFailure).error.code).toBe('TIMEOUT');
  });

  it('survives an unplug: reports it, re-initialises the chip on replug, and reads again', async () => {
    const { pn532, reader, statuses } = await setUp();
    await pn532.unplug();
    await waitUntil('the unplug to be reported', () => reader.status.state === 'absent');
    expect(reader.status.error?.code).toBe('DISCONNECTED');
    await pn532.plug();
    await waitUntil('the reader to be ready again', () => reader.status.state === 'ready');
    expect(statuses.map((s) => s.state)).toEqual(['connecting', 'ready', 'absent', 'connecting', 'ready']);
    const world = paymentWorld();
    pn532.present(phoneFor(world));
    const payment = await reader.readPayment(requestText(world), { timeoutMs: 15_000 });
    expect(verifies(world, payment.text)).toBe(true);
  });
});

describe('Pn532Reader with NDEF tags', () => {
  it('reads a KP1: text from a Type 4 tag in MLe-sized chunks', async () => {
    const { pn532, reader } = await setUp();
    const world = paymentWorld();
    const text = paymentText(world);
    pn532.present(new Type4Tag(encodeNdefText(text)));
    const payment = await reader.readPayment('KR1:unused', { timeoutMs: 15_000 });
    expect(payment).toMatchObject({ via: 'ndef-type4', text });
    await expect(payment.sendReceipt('KA1:X')).rejects.toMatchObject({ error: { code: 'UNSUPPORTED' } });
  });

  it('reads a KP1: text from a Type 2 tag page by page', async () => {
    const { pn532, reader } = await setUp();
    const text = paymentText(paymentWorld());
    pn532.present(new Type2Tag(encodeNdefText(text)));
    const payment = await reader.readPayment('KR1:unused', { timeoutMs: 15_000 });
    expect(payment).toMatchObject({ via: 'ndef-type2', text });
  });

  it('says so when a tag holds something other than a payment', async () => {
    const { pn532, reader } = await setUp();
    pn532.present(new Type2Tag(encodeNdefText('https://example.org/not-a-payment')));
    await expect(reader.readPayment('KR1:unused', { timeoutMs: 15_000 })).rejects.toMatchObject({ error: { code: 'UNSUPPORTED' } });
  });
});
