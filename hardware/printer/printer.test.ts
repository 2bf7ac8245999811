/** ESC/POS: encoder and parser (fuzzed), and the printers against an emulated one over a real pty and a file. */
import fc from 'fast-check';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAmount, verifyReceipt } from '../../protocol/index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { EscPosPrinterEmulator } from '../../sim/devices/escpos-printer.ts';
import { paymentText, paymentWorld, receiptText, REALISTIC } from '../../sim/fixtures/payments.ts';
import { waitUntil } from '../../test/support/wait.ts';
import { decodePc858, encodePc858, EscPos, type Alignment } from './escpos.ts';
import { EscPosParser, type EscPosOp } from './escpos-parser.ts';
import { SerialPrinter, UsbLpPrinter } from './printer.ts';
import { receiptDocument } from './receipt-layout.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function parse(bytes: Uint8Array, chunk = bytes.length): EscPosOp[] {
  const parser = new EscPosParser();
  const ops: EscPosOp[] = [];
  for (let i = 0; i < bytes.length; i += Math.max(1, chunk)) ops.push(...parser.push(bytes.subarray(i, i + Math.max(1, chunk))));
  return ops;
}

describe('ESC/POS codec', () => {
  it('encodes Latin letters and € in PC858, and prints what it lacks as ?', () => {
    expect(decodePc858(encodePc858(REALISTIC.merchantName))).toBe(REALISTIC.merchantName);
    expect(decodePc858(encodePc858('Kaffe 12,50 € – 支払'))).toBe('Kaffe 12,50 € ? ??');
    expect(encodePc858('€')).toEqual(Uint8Array.of(0xd5));
  });

  it('parses back what the builder writes, however the stream is chunked', () => {
    const step = fc.oneof(
      fc.string({ minLength: 1, maxLength: 40 }).map((text) => ({ kind: 'line' as const, text: text.replace(/[\n\x00-\x1f\x7f]/g, '') || 'x' })),
      fc.constantFrom<Alignment>('left', 'center', 'right').map((alignment) => ({ kind: 'align' as const, alignment })),
      fc.boolean().map((on) => ({ kind: 'bold' as const, on })),
      fc.string({ minLength: 1, maxLength: 700 }).map((data) => ({ kind: 'qr' as const, data })),
    );
    fc.assert(
      fc.property(fc.array(step, { maxLength: 8 }), fc.integer({ min: 1, max: 64 }), (steps, chunk) => {
        const doc = new EscPos().init();
        const expected: EscPosOp[] = [{ op: 'init' }, { op: 'code-page', page: 19 }];
        for (const s of steps) {
          if (s.kind === 'line') {
            doc.line(s.text);
            expected.push({ op: 'text', text: decodePc858(encodePc858(s.text)) }, { op: 'lf' });
          } else if (s.kind === 'align') {
            doc.align(s.alignment);
            expected.push({ op: 'align', alignment: s.alignment });
          } else if (s.kind === 'bold') {
            doc.bold(s.on);
            expected.push({ op: 'bold', on: s.on });
          } else {
            doc.qr(s.data);
            expected.push(
              { op: 'symbol', cn: 0x31, fn: 0x41, data: Uint8Array.of(0x32, 0x00) },
              { op: 'symbol', cn: 0x31, fn: 0x43, data: Uint8Array.of(6) },
              { op: 'symbol', cn: 0x31, fn: 0x45, data: Uint8Array.of(0x31) },
              { op: 'symbol', cn: 0x31, fn: 0x50, data: new TextEncoder().encode(s.data) },
              { op: 'symbol', cn: 0x31, fn: 0x51, data: Uint8Array.of(0x30) },
            );
          }
        }
        const ops = parse(doc.cut().bytes(), chunk);
        // Text split across chunks arrives as several text ops: join neighbours before comparing.
        const joined = ops.reduce<EscPosOp[]>((all, op) => {
          const last = all[all.length - 1];
          if (op.op === 'text' && last?.op === 'text') all[all.length - 1] = { op: 'text', text: last.text + op.text };
          else all.push(op);
          return all;
        }, []);
        expect(joined).toEqual([...expected, { op: 'cut', partial: true, feed: 3 }]);
      }),
    );
  });

  it('never throws and never buffers more than one bounded command on random and mutated streams', () => {
    const valid = fc.string({ maxLength: 300 }).map((t) => new EscPos().init().line('A').qr(t || 'q').cut().bytes());
    const mutated = fc.tuple(valid, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 })).map(([bytes, flips]) => {
      const copy = Uint8Array.from(bytes);
      for (const [at, value] of flips) copy[at % copy.length] = value;
      return copy;
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(mutated, fc.uint8Array({ maxLength: 400 })), { maxLength: 8 }), (chunks) => {
        const parser = new EscPosParser({ maxCommand: 1024 });
        for (const chunk of chunks) {
          for (const op of parser.push(chunk)) if (op.op === 'error') expect(['FRAME_INVALID', 'OVERFLOW']).toContain(op.error.code);
          expect(parser.pending).toBeLessThanOrEqual(1024 + 5);
        }
      }),
    );
  });
});

describe('SerialPrinter over a pty', () => {
  async function setUp() {
    const device = await EscPosPrinterEmulator.start();
    const printer = new SerialPrinter({ path: device.hostPath, retryMs: 50 });
    cleanups.push(() => device.close(), () => printer.stop());
    printer.start();
    await waitUntil('the printer to be ready', () => printer.status.state === 'ready');
    return { device, printer };
  }

  it('prints a receipt whose QR code carries the real, verifiable KA1: text', async () => {
    const { device, printer } = await setUp();
    const world = paymentWorld();
    const receipt = receiptText(world, paymentText(world));
    await printer.print(
      receiptDocument({
        merchantName: REALISTIC.merchantName,
        terminalId: REALISTIC.terminalId,
        amount: REALISTIC.amount,
        currency: REALISTIC.currency,
        acceptedAt: new Date(world.now * 1000),
        iouId: 'ab'.repeat(32),
        receiptText: receipt,
      }),
    );
    await waitUntil('the receipt to be cut', () => device.paper.some((line) => 'cut' in line));
    expect(device.paper[0]).toEqual({ text: REALISTIC.merchantName, align: 'center', bold: true });
    expect(device.printed).toContain(formatAmount(REALISTIC.amount, REALISTIC.currency));
    const qr = device.paper.find((line) => 'qr' in line);
    expect(qr).toEqual({ qr: receipt, align: 'center' });
    expect(verifyReceipt(receipt, world.terminal.publicKey, nodeVerify).ok).toBe(true);
    expect(device.paper[device.paper.length - 1]).toEqual({ cut: 'partial' });
    expect(device.problems).toEqual([]);
  });

  it('reads the paper sensors with DLE EOT 4', async () => {
    const { device, printer } = await setUp();
    expect(await printer.paper()).toEqual({ out: false, low: false });
    device.paperOut = true;
    expect(await printer.paper()).toEqual({ out: true, low: false });
  });

  it('refuses to print while unplugged and prints again after replug', async () => {
    const { device, printer } = await setUp();
    await device.unplug();
    await waitUntil('the unplug to be reported', () => printer.status.state === 'absent');
    await expect(printer.print(new EscPos().line('lost').bytes())).rejects.toMatchObject({ error: { code: 'NOT_READY' } });
    await device.plug();
    await waitUntil('the printer to be back', () => printer.status.state === 'ready');
    await printer.print(new EscPos().init().line('after replug').cut().bytes());
    await waitUntil('the text to be printed', () => device.printed.includes('after replug'));
  });
});

describe('UsbLpPrinter (a file standing in for /dev/usb/lp0)', () => {
  it('writes the document to the device file, and waits while the file is absent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kassa-lp-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const path = join(dir, 'lp0');
    const printer = new UsbLpPrinter({ path, retryMs: 50 });
    cleanups.push(() => printer.stop());
    printer.start();
    await waitUntil('the printer to be reported absent', () => printer.status.state === 'absent');
    expect(printer.status.error?.code).toBe('NOT_FOUND');
    await writeFile(path, '');
    await waitUntil('the printer to be ready', () => printer.status.state === 'ready');
    const document = new EscPos().init().align('center').line('Kassa').qr('KA1:TEST').cut(false).bytes();
    await printer.print(document);
    expect(new Uint8Array(await readFile(path))).toEqual(document);
    expect(await printer.paper()).toBeUndefined();
  });
});
