/**
 * The printed receipt of an accepted payment: merchant, amount, time, the IOU's id, and the
 * signed `KA1:` receipt as a QR code the payer's wallet can scan to file it.
 */
import { formatAmount } from '../../protocol/index.ts';
import { EscPos } from './escpos.ts';

export interface ReceiptContent {
  merchantName: string;
  terminalId: string;
  /** Minor units. */
  amount: number;
  currency: string;
  acceptedAt: Date;
  /** Hex iou_id, printed shortened for support calls. */
  iouId: string;
  /** The signed `KA1:` receipt text. */
  receiptText: string;
}

export function receiptDocument(content: ReceiptContent, width = 42): Uint8Array {
  const rule = '-'.repeat(width);
  return new EscPos()
    .init()
    .align('center')
    .bold(true)
    .line(content.merchantName)
    .bold(false)
    .line(`Terminal ${content.terminalId}`)
    .line(rule)
    .size(true, true)
    .line(formatAmount(content.amount, content.currency))
    .size(false, false)
    .line('PAID OFFLINE - accepted')
    .line(content.acceptedAt.toISOString().replace('T', ' ').slice(0, 19) + ' UTC')
    .line(`IOU ${content.iouId.slice(0, 16)}`)
    .line(rule)
    .qr(content.receiptText, { moduleSize: 4, errorCorrection: 'L' })
    .line('Scan with your wallet to keep this receipt')
    .feed(2)
    .cut()
    .bytes();
}
