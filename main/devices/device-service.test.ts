/**
 * The DeviceService with real parts: a real VSE process, the PN532 emulator with a phone
 * wallet behind its antenna and the ESC/POS printer emulator, each on a real socat pty, read
 * and written by the real drivers through the DeviceManager.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseDevicesConfig, type DevicesConfig } from '../../hardware/manager/config.ts';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import { EscPosPrinterEmulator } from '../../sim/devices/escpos-printer.ts';
import { PhoneWallet } from '../../sim/devices/phone-wallet.ts';
import { Pn532Emulator } from '../../sim/devices/pn532.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { startEnrolledVse, tempDataDir, testScheme, TestWallet } from '../../test/support/vse.ts';
import { record, waitForCount, waitUntil } from '../../test/support/wait.ts';
import type { AcceptedVerdict } from '../contract/schemas.ts';
import { PaymentService } from '../payments/payment-service.ts';
import { DeviceService } from './device-service.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function devicesConfig(input: unknown): DevicesConfig {
  const parsed = parseDevicesConfig(input);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}

/** A real enrolled VSE and the PaymentService around it, both closed after the test. */
async function paymentsWithVse() {
  const world = testScheme();
  const data = tempDataDir();
  cleanups.push(() => data.remove());
  const vse = await startEnrolledVse(world, { dataDir: data.dir });
  cleanups.push(() => vse.stop());
  const payments = new PaymentService({ vse, merchantName: () => 'Corner Shop', currency: () => 'SEK', requestTtlSeconds: () => 120 });
  cleanups.push(() => payments.close());
  return { world, vse, payments };
}

async function setUp(options: { autoPrint?: boolean } = {}) {
  const { world, vse, payments } = await paymentsWithVse();
  const nfc = await Pn532Emulator.start();
  const printer = await EscPosPrinterEmulator.start();
  cleanups.push(() => nfc.close(), () => printer.close());
  const manager = new DeviceManager(
    devicesConfig({
      devices: [
        { id: 'tap', driver: 'pn532', path: nfc.hostPath },
        { id: 'receipts', driver: 'escpos-serial', path: printer.hostPath },
      ],
    }),
    { retryMs: 50 },
  );
  const service = new DeviceService({
    devices: manager,
    payments,
    autoPrint: () => options.autoPrint ?? false,
    receiptFacts: () => ({ merchantName: 'Corner Shop', terminalId: 'TERM-0000042' }),
    paymentDetails: async (iouId) => {
      const found = await vse.call('getPayment', { iouId });
      return found === null ? null : { amount: found.payment.amount, currency: found.payment.currency, acceptedAt: found.payment.acceptedAt, receipt: found.receipt };
    },
  });
  cleanups.push(() => service.stop());
  const deviceEvents = record(service, 'devices');
  const printed = record(service, 'printed');
  service.start();
  await waitUntil('the NFC reader and the printer to be ready', () => service.devices.length === 2 && service.devices.every((d) => d.state === 'ready'));
  return { world, vse, payments, nfc, printer, service, deviceEvents, printed, verdicts: record(payments, 'verdict') };
}

function phoneOf(world: ReturnType<typeof testScheme>): PhoneWallet {
  const wallet = new TestWallet(world);
  return new PhoneWallet({ reservation: wallet.reservation, trustList: world.trustList, now: () => Math.floor(Date.now() / 1000), verify: nodeVerify });
}

describe('DeviceService', () => {
  it('offers the open request to a phone over NFC, takes its KP1: to the VSE, and hands the KA1: receipt back while the phone is there', async () => {
    const { world, payments, nfc, verdicts, printer } = await setUp();
    const request = await payments.request({ amount: 2_450, origin: 'cashier' });
    const phone = phoneOf(world);
    nfc.present(phone);
    const [verdict] = (await waitForCount('verdicts', verdicts, 1)) as AcceptedVerdict[];
    expect(verdict).toMatchObject({ outcome: 'paid', channel: 'nfc', forOpenRequest: true, payment: { amount: 2_450, requestId: request.requestId } });
    expect(payments.state.phase).toBe('paid');
    await waitUntil('the phone to get its receipt', () => phone.receipts.length === 1);
    expect(phone.receipts[0]).toMatchObject({ text: verdict!.receipt, valid: true });
    // No open request, no offer: the phone still in the field is not asked again.
    expect(phone.payments).toHaveLength(1);
    // Auto-print is off: nothing printed.
    expect(printer.paper).toEqual([]);
  });

  it('prints a payment receipt by itself when auto-print is on, and again on request; an unknown payment is NOT_FOUND', async () => {
    const { world, payments, printer, service, printed } = await setUp({ autoPrint: true });
    const request = await payments.request({ amount: 12_900, origin: 'cashier' });
    const verdict = (await payments.submit(new TestWallet(world).pay(request.text), 'keyboard')) as AcceptedVerdict;
    await waitForCount('printed receipts', printed, 1);
    await waitUntil('the receipt on paper', () => printer.printed.some((line) => line.startsWith('[QR KA1:')));
    const paper = printer.printed.join('\n');
    expect(paper).toContain('Corner Shop');
    expect(paper).toContain('129.00 SEK');
    expect(paper).toContain(`[QR ${verdict.receipt}]`);
    expect(paper).toMatch(/cut/);
    const before = printer.printed.length;
    expect(await service.print(verdict.payment.iouId)).toEqual({ printer: 'receipts' });
    await waitUntil('the reprint on paper', () => printer.printed.length >= before * 2);
    await expect(service.print('00'.repeat(32))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('says NO_PRINTER when no printer is configured', async () => {
    const { world, payments } = await paymentsWithVse();
    const service = new DeviceService({
      devices: new DeviceManager(devicesConfig({ devices: [] })),
      payments,
      autoPrint: () => true,
      receiptFacts: () => ({ merchantName: 'Corner Shop', terminalId: 'T' }),
      paymentDetails: async () => ({ amount: 1, currency: 'SEK', acceptedAt: 0, receipt: 'KA1:X' }),
    });
    cleanups.push(() => service.stop(), () => payments.close());
    service.start();
    await expect(service.print('00'.repeat(32))).rejects.toMatchObject({ code: 'NO_PRINTER' });
    // Auto-print with no printer is no failure of the payment.
    const request = await payments.request({ amount: 100, origin: 'cashier' });
    expect(await payments.submit(new TestWallet(world).pay(request.text), 'keyboard')).toMatchObject({ outcome: 'paid' });
  });

  it('reports device status and hot-plug as events', async () => {
    const { printer, deviceEvents, service } = await setUp();
    await printer.unplug();
    await waitUntil('the printer unplug as an event', () => deviceEvents.some((list) => list.some((d) => d.id === 'receipts' && d.state === 'absent')));
    expect(service.devices.find((d) => d.id === 'receipts')).toMatchObject({ state: 'absent', problem: { code: expect.any(String) } });
    await printer.plug();
    await waitUntil('the printer back as an event', () => deviceEvents.at(-1)!.some((d) => d.id === 'receipts' && d.state === 'ready'));
  });
});
