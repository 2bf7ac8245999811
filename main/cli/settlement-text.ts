/** Settlement figures as short lines for people: `kassa settle`, `kassa status`, the demo. */
import { formatAmount } from '../../protocol/index.ts';
import type { CurrencyTotal } from '../../vse/contract/rpc.ts';
import type { AttentionItem, SettlementFailure } from '../settlement/settlement-status.ts';

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "2 payments, 174.50 SEK; 1 payment, 3.00 EUR", or "none". */
export function totalsText(totals: readonly CurrencyTotal[]): string {
  const open = totals.filter((t) => t.count > 0);
  return open.length === 0 ? 'none' : open.map((t) => `${plural(t.count, 'payment')}, ${formatAmount(t.amount, t.currency)}`).join('; ');
}

/** An instant (ms since the epoch) with how long ago it was, or "never". */
export function whenText(at: number | null, now = Date.now()): string {
  if (at === null) return 'never';
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  const ago = seconds < 60 ? `${seconds} s ago` : seconds < 3600 ? `${Math.round(seconds / 60)} min ago` : seconds < 172_800 ? `${Math.round(seconds / 3600)} h ago` : `${Math.round(seconds / 86_400)} days ago`;
  return `${new Date(at).toISOString()} (${ago})`;
}

export function failureText(failure: SettlementFailure): string {
  return `${failure.code}${failure.httpStatus === undefined ? '' : ` ${failure.httpStatus}`}: ${failure.detail}`;
}

/** One line per thing the operator must look at. */
export function attentionText(item: AttentionItem): string {
  switch (item.kind) {
    case 'payment-refused':
      return `${item.status}${item.reason ? ` (${item.reason})` : ''}: ${formatAmount(item.amount, item.currency)} accepted ${new Date(item.acceptedAt * 1000).toISOString()}, IOU ${item.iouId} — the backend will not pay it; the signed IOU is kept as evidence`;
    case 'batch-refused':
      return `batch ${item.batch.batchId} (${plural(item.batch.iouCount, 'IOU')}) refused by the backend: ${failureText(item.batch.failure)} — kept, and sent again with the same Idempotency-Key on "settle now"`;
    case 'trust-list-refused':
      return `the backend's trust list was refused (${item.code}: ${item.detail}) — revocations are not reaching this terminal`;
    case 'not-enrolled':
      return `the terminal is not enrolled: run kassa enroll (${item.detail})`;
  }
}
