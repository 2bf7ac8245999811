/**
 * When two IOUs of one reservation contradict each other (OIP/1 §2.5, §5): a wallet numbers
 * its IOUs 1, 2, 3… and states in each the sum of all before it. Two different IOUs with the
 * same seq, or a later IOU whose spent_before is less than an earlier one's spent_before plus
 * amount, prove the wallet signed more than one history. The backend may see only part of a
 * history (other IOUs still offline), so it checks pairs, never gaps.
 */

export interface IouFacts {
  /** Hex iou_id: the same IOU under a re-encoded signature is not a conflict. */
  iouId: string;
  seq: number;
  spentBefore: number;
  amount: number;
}

export type ConflictKind = 'SEQ_REUSED' | 'SPENT_BEFORE_CONTRADICTS';

export function conflictBetween(a: IouFacts, b: IouFacts): ConflictKind | undefined {
  if (a.iouId === b.iouId) return undefined;
  if (a.seq === b.seq) return 'SEQ_REUSED';
  const [earlier, later] = a.seq < b.seq ? [a, b] : [b, a];
  return later.spentBefore < earlier.spentBefore + earlier.amount ? 'SPENT_BEFORE_CONTRADICTS' : undefined;
}
