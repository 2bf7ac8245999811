/**
 * A thermal receipt printer on a serial port: it parses the ESC/POS stream into "paper" (the
 * printed lines with their alignment and emphasis, QR codes by their data, cuts) and answers
 * real-time status requests (DLE EOT) like an Epson TM printer.
 */
import { EscPosParser } from '../../hardware/printer/escpos-parser.ts';
import type { Alignment } from '../../hardware/printer/escpos.ts';
import { EmulatedDevice } from './emulated-device.ts';
import type { PtyPair, PtyPairOptions } from './pty-pair.ts';

export type PaperLine = { text: string; align: Alignment; bold: boolean } | { qr: string; align: Alignment } | { cut: 'partial' | 'full' };

export class EscPosPrinterEmulator extends EmulatedDevice {
  readonly paper: PaperLine[] = [];
  /** Parser errors and unknown commands, as text. */
  readonly problems: string[] = [];
  paperOut = false;
  paperLow = false;
  private parser = new EscPosParser();
  private align: Alignment = 'left';
  private bold = false;
  private text = '';
  private qrData: Uint8Array | undefined;

  private constructor(pair: PtyPair) {
    super(pair, 9600);
  }

  static start(pair?: PtyPair | PtyPairOptions): Promise<EscPosPrinterEmulator> {
    return EmulatedDevice.attach((p) => new EscPosPrinterEmulator(p), pair);
  }

  /** The printed text lines (QR codes as `[QR <data>]`), for a quick look. */
  get printed(): string[] {
    return this.paper.map((line) => ('text' in line ? line.text : 'qr' in line ? `[QR ${line.qr}]` : `--- ${line.cut} cut ---`));
  }

  protected override onBytes(chunk: Uint8Array): void {
    for (const op of this.parser.push(chunk)) {
      switch (op.op) {
        case 'text':
          this.text += op.text;
          break;
        case 'lf':
          this.newLine();
          break;
        case 'init':
          this.align = 'left';
          this.bold = false;
          break;
        case 'align':
          this.align = op.alignment;
          break;
        case 'bold':
          this.bold = op.on;
          break;
        case 'feed':
          this.newLine();
          break;
        case 'cut':
          this.newLine();
          this.paper.push({ cut: op.partial ? 'partial' : 'full' });
          break;
        case 'symbol':
          if (op.cn === 0x31 && op.fn === 0x50) this.qrData = op.data;
          if (op.cn === 0x31 && op.fn === 0x51 && this.qrData) this.paper.push({ qr: new TextDecoder().decode(this.qrData), align: this.align });
          break;
        case 'status-request':
          void this.write(Uint8Array.of(this.statusByte(op.n))).catch(() => undefined);
          break;
        case 'unknown':
          this.problems.push(`unknown command ${Array.from(op.bytes, (b) => b.toString(16).padStart(2, '0')).join(' ')}`);
          break;
        case 'error':
          this.problems.push(op.error.message);
          break;
        default:
          break;
      }
    }
  }

  protected override onUnplug(): void {
    this.parser = new EscPosParser();
    this.text = '';
  }

  private newLine(): void {
    if (this.text.length > 0) this.paper.push({ text: this.text, align: this.align, bold: this.bold });
    this.text = '';
  }

  /** DLE EOT answers: fixed bits 1 and 4 set; paper sensors in bits 2-3 (near end) and 5-6 (end). */
  private statusByte(n: number): number {
    if (n === 4) return 0x12 | (this.paperLow ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
    return 0x12; // online, cover closed, no error
  }
}
