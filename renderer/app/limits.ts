/**
 * When an offline limit gets close, the till says so before it bites: unsettled money near
 * the exposure cap, the time since the trust list was last refreshed near the longest the
 * terminal may go offline, a trust list past its next update, a settle-by deadline near.
 * Pure, so the thresholds are tested without a screen.
 */
import type { TerminalStatus } from '../../main/contract/schemas.ts';

export type Warning =
  | { level: 'warning' | 'error'; kind: 'exposure'; currency: string; percent: number }
  | { level: 'warning' | 'error'; kind: 'offline'; secondsLeft: number }
  | { level: 'warning'; kind: 'trust-list'; overdueSeconds: number }
  | { level: 'warning' | 'error'; kind: 'settle-by'; secondsLeft: number };

/** From this share of a limit on, the till warns. */
export const WARN_AT = 0.8;
const DAY = 86_400;

export function limitWarnings(status: TerminalStatus, nowSeconds: number): Warning[] {
  if (!status.enrolled) return [];
  const warnings: Warning[] = [];
  for (const total of status.settlement.unsettled) {
    const limit = status.limits.find((l) => l.currency === total.currency)?.maxUnsettledTotal;
    if (limit === undefined || total.amount < limit * WARN_AT) continue;
    warnings.push({ level: total.amount >= limit ? 'error' : 'warning', kind: 'exposure', currency: total.currency, percent: Math.floor((total.amount * 100) / limit) });
  }
  const list = status.trustList;
  if (list !== null && status.maxOfflineSeconds > 0) {
    const since = nowSeconds - list.refreshedAt;
    if (since >= status.maxOfflineSeconds * WARN_AT) {
      const left = status.maxOfflineSeconds - since;
      warnings.push({ level: left <= 0 ? 'error' : 'warning', kind: 'offline', secondsLeft: Math.max(0, left) });
    }
  }
  if (list !== null && nowSeconds > list.nextUpdate) warnings.push({ level: 'warning', kind: 'trust-list', overdueSeconds: nowSeconds - list.nextUpdate });
  if (status.settleBy !== null && status.settleBy - nowSeconds < DAY) {
    const left = status.settleBy - nowSeconds;
    warnings.push({ level: left <= 3600 ? 'error' : 'warning', kind: 'settle-by', secondsLeft: Math.max(0, left) });
  }
  return warnings;
}
