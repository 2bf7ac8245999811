// The update controller (updater.ts) drives electron-updater only as update-policy.ts allows:
// a fake updater records what it is told (electron-updater needs Electron to load).
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { CHECK_INTERVAL_MS, type ApplyFacts } from './update-policy.ts';
import { UpdateController, type DownloadedUpdate, type UpdaterApi } from './updater.ts';

class FakeUpdater extends EventEmitter implements UpdaterApi {
  autoDownload = false;
  autoInstallOnAppQuit = true;
  allowDowngrade = true;
  feeds: { provider: 'generic'; url: string }[] = [];
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  failCheck = false;
  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feeds.push(options);
  }
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    if (this.failCheck) throw new Error('net::ERR_NAME_NOT_RESOLVED');
    return null;
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
  download(info: DownloadedUpdate): void {
    this.emit('update-downloaded', info);
  }
}

const FEED = 'https://updates.example-shop.se/kassa/';

function controller(options: { feed?: string; online?: boolean; apply?: Partial<ApplyFacts>; underServiceManager?: boolean } = {}) {
  const updater = new FakeUpdater();
  let now = 0;
  const world = { online: options.online ?? true, apply: { till: { phase: 'idle' as const, request: null }, unsettled: 0, currentSchema: 4, lastBackupAt: undefined, lastPaymentAt: undefined, ...options.apply } };
  const handOvers: (() => void)[] = [];
  const made = new UpdateController(updater, {
    feed: options.feed ?? FEED,
    facts: { online: async () => world.online, forApply: async () => world.apply },
    install: (handOver) => handOvers.push(handOver),
    underServiceManager: options.underServiceManager ?? false,
    now: () => now,
  });
  return { updater, made, world, handOvers, advance: (ms: number) => (now += ms) };
}

describe('UpdateController', () => {
  it('takes over installing: no install on quit, no downgrade, the shop\'s feed', () => {
    const { updater } = controller();
    expect(updater).toMatchObject({ autoDownload: true, autoInstallOnAppQuit: false, allowDowngrade: false });
    expect(updater.feeds).toEqual([{ provider: 'generic', url: FEED }]);
  });

  it('never uses the placeholder feed, and never checks without a real one', async () => {
    const { updater, made } = controller({ feed: 'https://updates.kassa.invalid/kassa/' });
    expect(updater.feeds).toEqual([]);
    expect(await made.tick()).toEqual({ did: 'nothing', check: { check: false, why: 'NO_FEED' } });
    expect(updater.checks).toBe(0);
  });

  it('checks when online, not again within the interval, and not while offline', async () => {
    const { updater, made, world, advance } = controller();
    expect(await made.tick()).toEqual({ did: 'checked' });
    expect(await made.tick()).toMatchObject({ did: 'nothing', check: { why: 'CHECKED_RECENTLY' } });
    advance(CHECK_INTERVAL_MS);
    world.online = false;
    expect(await made.tick()).toMatchObject({ did: 'nothing', check: { why: 'OFFLINE' } });
    world.online = true;
    expect(await made.tick()).toEqual({ did: 'checked' });
    expect(updater.checks).toBe(2);
  });

  it('reports a failed check as a value and tries again after the interval', async () => {
    const { updater, made, advance } = controller();
    updater.failCheck = true;
    expect(await made.tick()).toEqual({ did: 'check-failed', error: 'net::ERR_NAME_NOT_RESOLVED' });
    advance(CHECK_INTERVAL_MS);
    updater.failCheck = false;
    expect(await made.tick()).toEqual({ did: 'checked' });
  });

  it('waits with a downloaded update during a payment, then installs through the orderly shutdown', async () => {
    const { updater, made, world, handOvers } = controller();
    updater.download({ version: '0.2.0', releaseNotes: 'kassa-vse-schema: 4' });
    world.apply.till = { phase: 'awaiting', request: { requestId: 'r' } } as never;
    expect(await made.tick()).toMatchObject({ did: 'waiting', version: '0.2.0', decision: { why: 'PAYMENT_IN_PROGRESS' } });
    expect(handOvers).toEqual([]);
    world.apply.till = { phase: 'idle', request: null };
    expect(await made.tick()).toEqual({ did: 'installing', version: '0.2.0' });
    // The shell shuts the host down first; only then does electron-updater get to install.
    expect(updater.installs).toEqual([]);
    handOvers[0]!();
    expect(updater.installs).toEqual([[true, true]]);
    // One install only, and no more checks once it is under way.
    expect(await made.tick()).toMatchObject({ did: 'nothing', check: { why: 'BUSY' } });
  });

  it('holds back a migrating update while IOUs are unsettled and no backup covers them', async () => {
    const { updater, made, world } = controller({ apply: { unsettled: 2, lastPaymentAt: 500 } });
    updater.download({ version: '0.3.0', releaseNotes: 'kassa-vse-schema: 5' });
    expect(await made.tick()).toMatchObject({ did: 'waiting', decision: { why: 'UNSETTLED_WITHOUT_BACKUP' } });
    world.apply.unsettled = 0;
    expect(await made.tick()).toMatchObject({ did: 'installing' });
  });

  it('under systemd lets the unit restart the app instead of electron-updater', async () => {
    const { updater, made, handOvers } = controller({ underServiceManager: true });
    updater.download({ version: '0.2.0' });
    expect(await made.tick()).toMatchObject({ did: 'installing' });
    handOvers[0]!();
    expect(updater.installs).toEqual([[true, false]]);
  });
});
