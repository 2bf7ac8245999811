/**
 * The offline risk policy: what a terminal may accept without talking to the backend. The
 * defaults are deliberately small (docs/vse.md, "Risk policy"): an operator raises them per
 * currency, knowingly, in configuration.
 */
import { DEFAULT_CLOCK_SKEW_SECONDS, DEFAULT_TRUST_LIST_GRACE_SECONDS } from '../../protocol/index.ts';
import { riskPolicy, type CurrencyLimits, type RiskPolicy, type RiskPolicyOverrides } from '../contract/rpc.ts';

const HOUR = 3600;

export const DEFAULT_POLICY: RiskPolicy = {
  limits: {},
  // Minor units: 200.00 / 2,000.00 / 400.00 in a two-decimal currency.
  defaultLimits: { maxPaymentAmount: 20_000, maxUnsettledTotal: 200_000, maxUnsettledPerReservation: 40_000 },
  // Square's longest offline forwarding window; Stripe allows up to 30 days, which is a card
  // network's risk, not a terminal's.
  maxSecondsSinceTrustListRefresh: 72 * HOUR,
  trustListGraceSeconds: DEFAULT_TRUST_LIST_GRACE_SECONDS,
  clockSkewSeconds: DEFAULT_CLOCK_SKEW_SECONDS,
  allowPayerInitiated: false,
  maxRequestTtlSeconds: 600,
};

export function resolvePolicy(overrides: RiskPolicyOverrides | undefined): RiskPolicy {
  return riskPolicy.parse({ ...DEFAULT_POLICY, ...overrides });
}

export function limitsFor(policy: RiskPolicy, currency: string): CurrencyLimits {
  return policy.limits[currency] ?? policy.defaultLimits;
}

/** What check 16 needs to know besides the payment itself. */
export interface Exposure {
  unsettledTotal: number;
  unsettledForReservation: number;
  /** Seconds since the last successful trust-list refresh. */
  sinceTrustListRefresh: number;
}

/** Check 16: undefined when the payment is within policy, else why not. */
export function limitProblem(policy: RiskPolicy, currency: string, amount: number, exposure: Exposure): string | undefined {
  const limits = limitsFor(policy, currency);
  if (amount > limits.maxPaymentAmount) return `amount ${amount} is above the offline cap of ${limits.maxPaymentAmount} ${currency}`;
  if (exposure.unsettledTotal + amount > limits.maxUnsettledTotal) {
    return `unsettled ${currency} would reach ${exposure.unsettledTotal + amount}, above the cap of ${limits.maxUnsettledTotal}`;
  }
  if (exposure.unsettledForReservation + amount > limits.maxUnsettledPerReservation) {
    return `unsettled from this reservation would reach ${exposure.unsettledForReservation + amount}, above the cap of ${limits.maxUnsettledPerReservation}`;
  }
  if (exposure.sinceTrustListRefresh > policy.maxSecondsSinceTrustListRefresh) {
    return `the trust list was last refreshed ${exposure.sinceTrustListRefresh} s ago, more than the ${policy.maxSecondsSinceTrustListRefresh} s allowed offline`;
  }
  return undefined;
}
