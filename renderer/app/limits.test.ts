// The banners' thresholds: each warning appears at 80 % of its limit and turns red at the limit.
import { describe, expect, it } from 'vitest';
import type { TerminalStatus } from '../../main/contract/schemas.ts';
import { limitWarnings } from './limits.ts';

const NOW = 1_800_000_000;

function status(patch: Partial<TerminalStatus> = {}): TerminalStatus {
  return {
    state: 'ready',
    stateDetail: null,
    enrolled: true,
    terminalId: 'T-1',
    merchantId: 'M-1',
    merchantName: 'Shop',
    till: 'Till 1',
    currency: 'SEK',
    settlement: { activity: 'idle', connectivity: 'offline', unsettled: [], lastAttemptAt: null, lastSuccessAt: null, lastError: null, nextAttemptAt: null },
    settleBy: null,
    trustList: { version: 1, nextUpdate: NOW + 3600, refreshedAt: NOW - 60 },
    limits: [{ currency: 'SEK', maxPaymentAmount: 20_000, maxUnsettledTotal: 200_000, maxUnsettledPerReservation: 40_000 }],
    maxOfflineSeconds: 72 * 3600,
    attention: [],
    now: NOW,
    ...patch,
  };
}

const unsettled = (amount: number) => ({ ...status().settlement, unsettled: [{ currency: 'SEK', count: 3, amount }] });

describe('limit warnings', () => {
  it('says nothing while every limit is far', () => {
    expect(limitWarnings(status({ settlement: unsettled(100_000) }), NOW)).toEqual([]);
  });

  it('warns about exposure from 80 % and refuses-level at 100 %', () => {
    expect(limitWarnings(status({ settlement: unsettled(159_999) }), NOW)).toEqual([]);
    expect(limitWarnings(status({ settlement: unsettled(160_000) }), NOW)).toEqual([{ level: 'warning', kind: 'exposure', currency: 'SEK', percent: 80 }]);
    expect(limitWarnings(status({ settlement: unsettled(200_000) }), NOW)).toEqual([{ level: 'error', kind: 'exposure', currency: 'SEK', percent: 100 }]);
  });

  it('counts down the time the terminal may stay offline', () => {
    const max = 72 * 3600;
    const at = (since: number) => limitWarnings(status({ trustList: { version: 1, nextUpdate: NOW + 3600, refreshedAt: NOW - since } }), NOW);
    expect(at(max * 0.8 - 1)).toEqual([]);
    expect(at(max * 0.8)).toEqual([{ level: 'warning', kind: 'offline', secondsLeft: max * 0.2 }]);
    expect(at(max + 5)).toEqual([{ level: 'error', kind: 'offline', secondsLeft: 0 }]);
  });

  it('warns about a trust list past its next update and a settle-by deadline within a day', () => {
    expect(limitWarnings(status({ trustList: { version: 1, nextUpdate: NOW - 120, refreshedAt: NOW - 60 } }), NOW)).toEqual([{ level: 'warning', kind: 'trust-list', overdueSeconds: 120 }]);
    expect(limitWarnings(status({ settleBy: NOW + 86_400 }), NOW)).toEqual([]);
    expect(limitWarnings(status({ settleBy: NOW + 7200 }), NOW)).toEqual([{ level: 'warning', kind: 'settle-by', secondsLeft: 7200 }]);
    expect(limitWarnings(status({ settleBy: NOW + 600 }), NOW)).toEqual([{ level: 'error', kind: 'settle-by', secondsLeft: 600 }]);
  });

  it('says nothing for a terminal that is not enrolled', () => {
    expect(limitWarnings(status({ enrolled: false, settlement: unsettled(999_999) }), NOW)).toEqual([]);
  });
});
