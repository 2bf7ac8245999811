/**
 * The terminal's status as the till shows it, put together from the VSE (enrollment, trust
 * list, policy, settle-by), the SettlementService (connectivity, unsettled money, last
 * success, what needs attention) and the VSE supervisor (is the secure element up).
 */
import { formatAmount } from '../../protocol/index.ts';
import type { VseResult } from '../../vse/contract/rpc.ts';
import type { AttentionItem, SettlementView, TerminalStatus } from '../contract/schemas.ts';
import type { AttentionItem as SettlementAttention, SettlementSnapshot } from '../settlement/settlement-status.ts';
import type { SupervisorState } from '../vse/supervisor.ts';
import type { HostSection } from './host-settings.ts';

export function settlementView(snapshot: SettlementSnapshot): SettlementView {
  return {
    activity: snapshot.activity,
    connectivity: snapshot.connectivity,
    unsettled: snapshot.unsettled.filter((total) => total.count > 0),
    lastAttemptAt: snapshot.lastAttemptAt,
    lastSuccessAt: snapshot.lastSuccessAt,
    lastError: snapshot.lastError === null ? null : { code: snapshot.lastError.code, detail: snapshot.lastError.detail, at: snapshot.lastError.at },
    nextAttemptAt: snapshot.nextAttemptAt,
  };
}

export const OFFLINE_SETTLEMENT: SettlementView = {
  activity: 'stopped',
  connectivity: 'unknown',
  unsettled: [],
  lastAttemptAt: null,
  lastSuccessAt: null,
  lastError: null,
  nextAttemptAt: null,
};

export function attentionView(item: SettlementAttention): AttentionItem {
  switch (item.kind) {
    case 'payment-refused':
      return {
        kind: 'payment-refused',
        message: `the backend will not pay ${formatAmount(item.amount, item.currency)} (${item.status}${item.reason ? `: ${item.reason}` : ''}); the signed IOU is kept as evidence`,
        iouId: item.iouId,
        at: item.acceptedAt * 1000,
      };
    case 'batch-refused':
      return { kind: 'batch-refused', message: `the backend refused a settlement batch of ${item.batch.iouCount} payments: ${item.batch.failure.detail}`, iouId: null, at: item.batch.failure.at };
    case 'trust-list-refused':
      return { kind: 'trust-list-refused', message: `the backend's trust list was refused (${item.code}): ${item.detail}`, iouId: null, at: item.at };
    case 'not-enrolled':
      return { kind: 'not-enrolled', message: item.detail, iouId: null, at: null };
  }
}

export interface StatusParts {
  state: TerminalStatus['state'];
  stateDetail: string | null;
  vse: VseResult<'status'> | null;
  settlement: SettlementSnapshot | null;
  settings: HostSection;
  extraAttention: AttentionItem[];
  now: number;
}

export function supervisorStateOf(state: SupervisorState): TerminalStatus['state'] {
  switch (state) {
    case 'ready':
      return 'ready';
    case 'restarting':
      return 'restarting';
    case 'failed':
    case 'stopped':
      return 'failed';
    case 'starting':
      return 'starting';
  }
}

export function terminalStatus(parts: StatusParts): TerminalStatus {
  const { vse, settlement, settings } = parts;
  const certificate = vse?.certificate ?? null;
  const policy = vse?.policy;
  const currencies = new Set<string>([settings.currency, ...Object.keys(policy?.limits ?? {})]);
  return {
    state: parts.state,
    stateDetail: parts.stateDetail,
    enrolled: certificate !== null,
    terminalId: certificate?.terminalId ?? null,
    merchantId: certificate?.merchantId ?? null,
    merchantName: certificate?.merchantName ?? null,
    till: settings.till,
    currency: settings.currency,
    settlement: settlement === null ? OFFLINE_SETTLEMENT : settlementView(settlement),
    settleBy: vse?.settleBy ?? null,
    trustList: vse?.trustList ?? null,
    limits:
      policy === undefined
        ? []
        : [...currencies].sort().map((currency) => ({ currency, ...(policy.limits[currency] ?? policy.defaultLimits) })),
    maxOfflineSeconds: policy?.maxSecondsSinceTrustListRefresh ?? 0,
    attention: [...parts.extraAttention, ...(settlement?.attention.map(attentionView) ?? [])],
    now: parts.now,
  };
}
