/**
 * When the app looks for an update and when it may install one (docs/updates.md), kept out of
 * Electron and electron-updater so every rule is tested under Node. updater.ts asks; it never
 * decides.
 *
 * Checking (and so downloading) happens only when the terminal is online, a real update server
 * is configured, and the last check is CHECK_INTERVAL_MS old.
 *
 * Installing restarts the app, so it is refused:
 * - during a payment: a request is open or a payment text is being verified;
 * - while IOUs are unsettled, when the new version may migrate the VSE's database and no backup
 *   newer than the last stored payment exists. The update says which database schema it ends
 *   at with a line `kassa-vse-schema: N` in its release notes (latest.yml `releaseNotes`, set
 *   with electron-builder's releaseInfo at release time); an update that does not say is taken
 *   to migrate. An update at the schema the VSE runs now leaves the IOUs' tables alone.
 */
import type { TillState } from '../contract/schemas.ts';

export const CHECK_INTERVAL_MS = 6 * 60 * 60_000;
/** The host electron-builder.yml carries until a shop sets its own update server (it cannot resolve). */
export const PLACEHOLDER_FEED_HOST = 'updates.kassa.invalid';
export const SCHEMA_MARKER = /^\s*kassa-vse-schema:\s*(\d+)\s*$/m;

/** Whether `url` is an update server the app may use: HTTPS, a real host (not the placeholder, not `.invalid`). */
export function usableFeed(url: string | undefined): boolean {
  if (url === undefined || url === '') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' && parsed.hostname !== PLACEHOLDER_FEED_HOST && !parsed.hostname.endsWith('.invalid');
}

/** electron-updater's UpdateInfo.releaseNotes: a string, or one note per version. */
export type ReleaseNotes = string | readonly { version: string; note: string | null }[] | null | undefined;

/** The VSE schema an update ends at, from its release notes; undefined when it does not say. */
export function updateSchemaOf(notes: ReleaseNotes): number | undefined {
  const texts = typeof notes === 'string' ? [notes] : (notes ?? []).map((entry) => entry.note ?? '');
  let schema: number | undefined;
  for (const text of texts) {
    const match = SCHEMA_MARKER.exec(text);
    if (match !== null) schema = Math.max(schema ?? 0, Number(match[1]));
  }
  return schema;
}

export interface CheckFacts {
  online: boolean;
  feed: string | undefined;
  now: number;
  lastCheckAt: number | undefined;
  /** A check or download is under way already. */
  busy: boolean;
}

export type CheckDecision = { check: true } | { check: false; why: 'NO_FEED' | 'OFFLINE' | 'BUSY' | 'CHECKED_RECENTLY' };

export function shouldCheck(facts: CheckFacts): CheckDecision {
  if (!usableFeed(facts.feed)) return { check: false, why: 'NO_FEED' };
  if (!facts.online) return { check: false, why: 'OFFLINE' };
  if (facts.busy) return { check: false, why: 'BUSY' };
  if (facts.lastCheckAt !== undefined && facts.now - facts.lastCheckAt < CHECK_INTERVAL_MS) return { check: false, why: 'CHECKED_RECENTLY' };
  return { check: true };
}

export interface ApplyFacts {
  /** The till's state; undefined when the terminal is not enrolled (no payments can be under way). */
  till: Pick<TillState, 'phase' | 'request'> | undefined;
  /** Unsettled IOUs, all currencies. */
  unsettled: number;
  /** The schema the VSE runs now (its init answer); undefined when it is not running. */
  currentSchema: number | undefined;
  /** The schema the update ends at (updateSchemaOf); undefined when it does not say. */
  updateSchema: number | undefined;
  /** When the newest backup of the data folder was made, if the app knows of one. */
  lastBackupAt: number | undefined;
  /** When the newest payment was stored. */
  lastPaymentAt: number | undefined;
}

export type ApplyRefusal = 'PAYMENT_IN_PROGRESS' | 'UNSETTLED_WITHOUT_BACKUP';
export type ApplyDecision = { apply: true } | { apply: false; why: ApplyRefusal; detail: string };

/** A request is open, or a payment text is being verified. */
export function paymentInProgress(till: ApplyFacts['till']): boolean {
  return till !== undefined && (till.phase === 'awaiting' || till.phase === 'verifying' || till.request !== null);
}

export function mayApply(facts: ApplyFacts): ApplyDecision {
  if (paymentInProgress(facts.till)) return { apply: false, why: 'PAYMENT_IN_PROGRESS', detail: 'a payment is under way: the update waits until the till is free' };
  if (facts.unsettled > 0) {
    const migrates = facts.updateSchema === undefined || facts.currentSchema === undefined || facts.updateSchema > facts.currentSchema;
    const backedUp = facts.lastBackupAt !== undefined && facts.lastBackupAt >= (facts.lastPaymentAt ?? 0);
    if (migrates && !backedUp) {
      const schema = facts.updateSchema === undefined ? 'does not say which database schema it ends at' : `migrates the database to schema ${facts.updateSchema}`;
      return {
        apply: false,
        why: 'UNSETTLED_WITHOUT_BACKUP',
        detail: `the update ${schema} and ${facts.unsettled} IOU(s) are unsettled with no backup since the last payment: settle them or make a backup first`,
      };
    }
  }
  return { apply: true };
}
