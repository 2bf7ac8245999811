/**
 * What the SettlementService shows the operator, and the part of it that outlives the
 * process (last success, last error, a refused batch) in a small JSON file beside the config,
 * so `kassa status` and a restarted app can still say "last settled 2 hours ago".
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import type { CurrencyTotal } from '../../vse/contract/rpc.ts';
import { writeFileAtomic } from '../../base/node/atomic-file.ts';

export type Connectivity = 'unknown' | 'online' | 'offline';

/**
 * idle      nothing to do, or waiting for the next idle check
 * settling  a cycle is running
 * waiting   a retryable failure: the next try is at nextAttemptAt
 * blocked   a failure that will not heal by retrying blindly (a refused batch, no enrollment):
 *           tried again only seldom or on "settle now"
 * stopped   the service is not running
 */
export type SettlementActivity = 'stopped' | 'idle' | 'settling' | 'waiting' | 'blocked';

const failure = z.strictObject({
  /** Who failed: the backend (or the way to it), the VSE, or the host itself. */
  source: z.enum(['backend', 'vse', 'host']),
  /** BackendClient's NETWORK / TIMEOUT / PROBLEM / MALFORMED_ANSWER, a VSE error code, or MISMATCHED_ANSWER / INTERNAL. */
  code: z.string(),
  detail: z.string(),
  retryable: z.boolean(),
  /** ms since the epoch. */
  at: z.number(),
  httpStatus: z.int().optional(),
  problemType: z.string().optional(),
  /** The backend's Retry-After, honoured up to the longest backoff. */
  retryAfterSeconds: z.number().optional(),
});
export type SettlementFailure = z.output<typeof failure>;

const refusedBatch = z.strictObject({ batchId: z.string(), idempotencyKey: z.string(), iouCount: z.int(), failure });
export type RefusedBatch = z.output<typeof refusedBatch>;

export const persistedStatus = z.strictObject({
  format: z.literal('kassa-settlement-status/1'),
  lastAttemptAt: z.number().nullable(),
  lastSuccessAt: z.number().nullable(),
  lastError: failure.nullable(),
  refusedBatch: refusedBatch.nullable(),
});
export type PersistedStatus = z.output<typeof persistedStatus>;

/** Something the operator must look at: money that will not arrive by itself. */
export type AttentionItem =
  | {
      kind: 'payment-refused';
      iouId: string;
      status: 'REJECTED' | 'DOUBLE_SPEND';
      reason: string | null;
      amount: number;
      currency: string;
      acceptedAt: number;
    }
  | { kind: 'batch-refused'; batch: RefusedBatch }
  | { kind: 'trust-list-refused'; code: string; detail: string; at: number }
  | { kind: 'not-enrolled'; detail: string };

export interface SettlementSnapshot {
  activity: SettlementActivity;
  connectivity: Connectivity;
  /** Accepted payments the backend has not answered yet, per currency. */
  unsettled: CurrencyTotal[];
  /** The batch sent and not yet answered, if any (resent with the same Idempotency-Key). */
  openBatch: string | null;
  lastAttemptAt: number | null;
  lastSuccessAt: number | null;
  lastError: SettlementFailure | null;
  nextAttemptAt: number | null;
  consecutiveFailures: number;
  attention: AttentionItem[];
  /** Second IOUs the VSE refused at the counter as DOUBLE_SPEND (check 15), kept as evidence. */
  doubleSpendEvidence: number;
}

export interface StatusStore {
  load(): PersistedStatus | undefined;
  save(status: PersistedStatus): void;
}

export const memoryStatusStore = (): StatusStore => {
  let kept: PersistedStatus | undefined;
  return { load: () => kept, save: (status) => void (kept = status) };
};

/**
 * The status file. A file that does not parse is ignored (and replaced at the next save):
 * it only remembers what the service saw, the payments themselves are in the VSE.
 */
export function fileStatusStore(path: string): StatusStore {
  return {
    load: () => {
      try {
        const parsed = persistedStatus.safeParse(JSON.parse(readFileSync(path, 'utf8')));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    save: (status) => writeFileAtomic(path, `${JSON.stringify(status, null, 2)}\n`),
  };
}
