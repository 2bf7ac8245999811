/**
 * Updates in the Electron app (docs/updates.md): electron-updater against the shop's or fleet's
 * own server (electron-builder.yml `publish: generic`), driven by update-policy.ts. The updater
 * comes in as a parameter (main.ts passes electron-updater's autoUpdater, tests a fake), and so
 * do the facts the policy needs, so this module decides nothing itself.
 *
 * Nothing installs behind the policy's back: electron-updater's own install-on-quit is off, and
 * an allowed install first shuts the host down in order (install() below: the shell's
 * shutdown), then hands over to electron-updater.
 */
import { mayApply, shouldCheck, updateSchemaOf, usableFeed, type ApplyDecision, type ApplyFacts, type CheckDecision, type ReleaseNotes } from './update-policy.ts';

/** What the controller uses of electron-updater's AppUpdater. */
export interface UpdaterApi {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  on(event: 'update-downloaded', listener: (info: DownloadedUpdate) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface DownloadedUpdate {
  version: string;
  releaseNotes?: ReleaseNotes;
}

export interface UpdateFacts {
  /** Whether the backend answered lately (the settlement's connectivity). */
  online(): Promise<boolean>;
  /** The till, unsettled IOUs, schema and backup facts (update-policy.ts ApplyFacts, less the update's own schema). */
  forApply(): Promise<Omit<ApplyFacts, 'updateSchema'>>;
}

export interface UpdateControllerOptions {
  feed: string | undefined;
  facts: UpdateFacts;
  /**
   * Shuts the host down in order, then calls `handOver` (electron-updater's quitAndInstall)
   * instead of quitting: the shell's shutdown.quit.
   */
  install: (handOver: () => void) => void;
  /** systemd restarts the app itself (INVOCATION_ID set): electron-updater must not start it too. */
  underServiceManager: boolean;
  now?: () => number;
  log?: (level: 'info' | 'warn' | 'error', message: string, detail?: object) => void;
}

export type TickOutcome =
  | { did: 'nothing'; check: Exclude<CheckDecision, { check: true }> }
  | { did: 'checked' }
  | { did: 'check-failed'; error: string }
  | { did: 'waiting'; version: string; decision: Exclude<ApplyDecision, { apply: true }> }
  | { did: 'installing'; version: string };

/** The update server electron-builder wrote into resources/app-update.yml (`url: …`), if any. */
export function feedOf(appUpdateYml: string): string | undefined {
  const match = /^url:\s*['"]?([^'"\s]+)['"]?\s*$/m.exec(appUpdateYml);
  return match?.[1];
}

export class UpdateController {
  private readonly updater: UpdaterApi;
  private readonly options: UpdateControllerOptions;
  private readonly now: () => number;
  private lastCheckAt: number | undefined;
  private busy = false;
  private installing = false;
  /** The update electron-updater has downloaded and verified (sha512), waiting for the policy. */
  downloaded: DownloadedUpdate | undefined;

  constructor(updater: UpdaterApi, options: UpdateControllerOptions) {
    this.updater = updater;
    this.options = options;
    this.now = options.now ?? Date.now;
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = false;
    updater.allowDowngrade = false;
    if (usableFeed(options.feed)) updater.setFeedURL({ provider: 'generic', url: options.feed! });
    updater.on('update-downloaded', (info) => {
      this.downloaded = { version: info.version, releaseNotes: info.releaseNotes ?? null };
      this.options.log?.('info', 'update downloaded and verified', { version: info.version });
    });
    updater.on('error', (error) => this.options.log?.('warn', 'update failed', { err: error }));
  }

  /** One look: install a downloaded update if the policy allows, else check if it is time. */
  async tick(): Promise<TickOutcome> {
    const downloaded = this.downloaded;
    if (downloaded !== undefined && !this.installing) {
      const decision = mayApply({ ...(await this.options.facts.forApply()), updateSchema: updateSchemaOf(downloaded.releaseNotes) });
      if (!decision.apply) return { did: 'waiting', version: downloaded.version, decision };
      this.installing = true;
      this.options.log?.('info', 'installing update', { version: downloaded.version });
      this.options.install(() => this.updater.quitAndInstall(true, !this.options.underServiceManager));
      return { did: 'installing', version: downloaded.version };
    }
    const check = shouldCheck({ online: await this.options.facts.online(), feed: this.options.feed, now: this.now(), lastCheckAt: this.lastCheckAt, busy: this.busy || this.installing });
    if (!check.check) return { did: 'nothing', check };
    this.busy = true;
    this.lastCheckAt = this.now();
    try {
      await this.updater.checkForUpdates();
      return { did: 'checked' };
    } catch (error) {
      return { did: 'check-failed', error: (error as Error).message };
    } finally {
      this.busy = false;
    }
  }
}
