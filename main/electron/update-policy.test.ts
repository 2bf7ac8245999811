// When the app checks for updates and when it may install one (update-policy.ts): every rule,
// and the edge of each.
import { describe, expect, it } from 'vitest';
import { CHECK_INTERVAL_MS, mayApply, paymentInProgress, shouldCheck, updateSchemaOf, usableFeed, type ApplyFacts } from './update-policy.ts';

const FEED = 'https://updates.example-shop.se/kassa/';

describe('usableFeed', () => {
  it('takes an HTTPS server, not the placeholder, an .invalid host, plain HTTP or nonsense', () => {
    expect(usableFeed(FEED)).toBe(true);
    for (const url of [undefined, '', 'https://updates.kassa.invalid/kassa/', 'https://x.invalid/', 'http://updates.example-shop.se/kassa/', 'file:///srv/updates/', 'not a url']) {
      expect(usableFeed(url), String(url)).toBe(false);
    }
  });
});

describe('shouldCheck', () => {
  const facts = { online: true, feed: FEED, now: 10 * CHECK_INTERVAL_MS, lastCheckAt: undefined, busy: false };
  it('checks when online, with a server, not busy, and not checked within the interval', () => {
    expect(shouldCheck(facts)).toEqual({ check: true });
    expect(shouldCheck({ ...facts, lastCheckAt: facts.now - CHECK_INTERVAL_MS })).toEqual({ check: true });
  });
  it('does not check offline, without a server, while busy, or again too soon', () => {
    expect(shouldCheck({ ...facts, online: false })).toEqual({ check: false, why: 'OFFLINE' });
    expect(shouldCheck({ ...facts, feed: 'https://updates.kassa.invalid/kassa/' })).toEqual({ check: false, why: 'NO_FEED' });
    expect(shouldCheck({ ...facts, busy: true })).toEqual({ check: false, why: 'BUSY' });
    expect(shouldCheck({ ...facts, lastCheckAt: facts.now - CHECK_INTERVAL_MS + 1 })).toEqual({ check: false, why: 'CHECKED_RECENTLY' });
  });
});

describe('updateSchemaOf', () => {
  it('reads the kassa-vse-schema line from the release notes, in either of electron-updater\'s shapes', () => {
    expect(updateSchemaOf('Faster settlement.\nkassa-vse-schema: 5\n')).toBe(5);
    expect(updateSchemaOf([{ version: '0.2.0', note: 'kassa-vse-schema: 4' }, { version: '0.3.0', note: 'kassa-vse-schema: 6' }])).toBe(6);
    expect(updateSchemaOf('no marker here')).toBeUndefined();
    expect(updateSchemaOf(null)).toBeUndefined();
    expect(updateSchemaOf('kassa-vse-schema: five')).toBeUndefined();
  });
});

describe('mayApply', () => {
  const idle = { phase: 'idle' as const, request: null };
  const request = { requestId: 'r1' } as never;
  const quiet: ApplyFacts = { till: idle, unsettled: 0, currentSchema: 4, updateSchema: 5, lastBackupAt: undefined, lastPaymentAt: 1000 };

  it('applies on an idle till with nothing unsettled', () => {
    expect(mayApply(quiet)).toEqual({ apply: true });
    expect(mayApply({ ...quiet, till: undefined })).toEqual({ apply: true });
  });

  it('never during a payment: an open request, a payment being verified, a result shown while a request is still open', () => {
    expect(paymentInProgress({ phase: 'awaiting', request })).toBe(true);
    expect(paymentInProgress({ phase: 'verifying', request: null })).toBe(true);
    expect(paymentInProgress({ phase: 'rejected', request })).toBe(true);
    expect(paymentInProgress({ phase: 'paid', request: null })).toBe(false);
    expect(mayApply({ ...quiet, till: { phase: 'awaiting', request } })).toMatchObject({ apply: false, why: 'PAYMENT_IN_PROGRESS' });
  });

  it('with unsettled IOUs: refuses an update that migrates, or does not say, unless a backup is newer than the last payment', () => {
    const unsettled = { ...quiet, unsettled: 3 };
    expect(mayApply(unsettled)).toMatchObject({ apply: false, why: 'UNSETTLED_WITHOUT_BACKUP' });
    expect(mayApply({ ...unsettled, updateSchema: undefined })).toMatchObject({ apply: false, why: 'UNSETTLED_WITHOUT_BACKUP' });
    expect(mayApply({ ...unsettled, currentSchema: undefined })).toMatchObject({ apply: false, why: 'UNSETTLED_WITHOUT_BACKUP' });
    expect(mayApply({ ...unsettled, lastBackupAt: 999 })).toMatchObject({ apply: false, why: 'UNSETTLED_WITHOUT_BACKUP' });
    expect(mayApply({ ...unsettled, lastBackupAt: 1000 })).toEqual({ apply: true });
  });

  it('with unsettled IOUs: applies an update at the current schema (it leaves their tables alone)', () => {
    expect(mayApply({ ...quiet, unsettled: 3, updateSchema: 4 })).toEqual({ apply: true });
  });

  it('says why it waits', () => {
    const refused = mayApply({ ...quiet, unsettled: 2 });
    expect(refused.apply).toBe(false);
    if (!refused.apply) expect(refused.detail).toMatch(/schema 5.*2 IOU\(s\) are unsettled/);
  });
});
