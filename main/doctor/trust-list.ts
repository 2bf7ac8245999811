/** The trust list the VSE checks wallets with: present, and not past its next update (then payments are refused). */
import type { VseResult } from '../../vse/contract/rpc.ts';
import { fail, ok, skip, warn, type CheckResult } from './check.ts';

const REFRESH_HINT = 'bring the terminal online so settlement fetches a fresh list (kassa settle, or a running kassa serve does it by itself); if it stays old, check the backend check below';

export function trustListCheck(status: VseResult<'status'> | undefined, now: number): CheckResult {
  if (status === undefined) return skip('trust-list', 'the VSE did not start: see the database check');
  const list = status.trustList;
  if (list === null) return fail('trust-list', 'no trust list installed: every payment is refused', 'enroll the terminal (kassa enroll), which installs the list');
  const details = { version: list.version, refreshedAt: list.refreshedAt, nextUpdate: list.nextUpdate, ageSeconds: now - list.refreshedAt };
  const age = `${Math.floor((now - list.refreshedAt) / 3600)} h old`;
  const refusedFrom = list.nextUpdate + status.policy.trustListGraceSeconds;
  if (now > refusedFrom) return fail('trust-list', `trust list v${list.version} is stale (${age}, due ${new Date(list.nextUpdate * 1000).toISOString()}): payments are refused`, REFRESH_HINT, details);
  if (now > list.nextUpdate) return warn('trust-list', `trust list v${list.version} is past its next update (${age}); payments are refused from ${new Date(refusedFrom * 1000).toISOString()}`, REFRESH_HINT, details);
  return ok('trust-list', `trust list v${list.version}, ${age}, next update ${new Date(list.nextUpdate * 1000).toISOString()}`, details);
}
