/**
 * The Electron shell: wires Electron to the app host and does nothing else. Every Electron API
 * it uses comes in as a parameter (main.ts passes the real module; the tests pass fakes that
 * record), and each piece lives in its own module: the protocol (app-protocol.ts), the window
 * factory, the web guards, the IPC bridge, the sealed key, the VSE launcher, the shutdown.
 *
 * Order matters and is kept here:
 * 1. before ready: the single-instance lock, the privileged `app` scheme, the sandbox for
 *    every renderer, the guards on every webContents, the orderly shutdown;
 * 2. at ready: the protocol handler, the session's permission and request guards;
 * 3. the database key (safeStorage) — refused, the operator screen and no VSE;
 * 4. the app host (VSE in a utilityProcess), the app API server, the IPC bridge, the windows.
 *
 * In kiosk mode (kiosk-policy.ts decides, this does): the windows refuse to close and swallow
 * the keys that would close, reload or open developer tools, until the operator role calls
 * app.exitKiosk; a renderer that dies is reloaded, one that keeps dying restarts the app.
 */
import type { App, IpcMain, Menu, Protocol } from 'electron';
import type { Logger } from 'pino';
import type { Role } from '../contract/app-api.ts';
import { AppApiServer } from '../host/app-api-server.ts';
import { AppHost, type AppHostOptions } from '../host/app-host.ts';
import { terminalPaths, type TerminalPaths } from '../terminal/paths.ts';
import { APP_SCHEME_PRIVILEGES, appProtocolHandler } from './app-protocol.ts';
import { APP_ORIGIN, APP_SCHEME, APP_START_URL } from './channels.ts';
import { IpcBridge } from './ipc.ts';
import { blockedKey, KioskPolicy, type CrashAction } from './kiosk-policy.ts';
import { UpdateController, type UpdaterApi } from './updater.ts';
import { dataDirFor, type ShellOptions } from './options.ts';
import { problemFor } from './problems.ts';
import { loadSealedDatabaseKey, type SafeStorageApi } from './sealed-key.ts';
import { PLACEHOLDER_PAGE, PROBLEM_PAGE_PATH, problemPage, shellPages, type ShellProblem } from './shell-pages.ts';
import { installOrderlyShutdown, type Shutdown } from './shutdown.ts';
import { utilityProcessLauncher, type UtilityProcessApi } from './vse-launcher.ts';
import { guardAllWebContents, guardSession, type GuardLog } from './web-guards.ts';
import { WindowFactory, type BrowserWindowConstructor, type MadeWindow, type WindowPurpose } from './window-factory.ts';

/** The parts of the `electron` module the shell uses. The real module satisfies it. */
export interface ElectronModules {
  app: Pick<App, 'requestSingleInstanceLock' | 'on' | 'whenReady' | 'quit' | 'exit' | 'getPath' | 'enableSandbox' | 'relaunch'> & { commandLine: Pick<App['commandLine'], 'appendSwitch'> };
  BrowserWindow: BrowserWindowConstructor;
  protocol: Pick<Protocol, 'registerSchemesAsPrivileged' | 'handle'>;
  session: { defaultSession: Parameters<typeof guardSession>[0] };
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  safeStorage: SafeStorageApi;
  utilityProcess: UtilityProcessApi;
  Menu: Pick<typeof Menu, 'setApplicationMenu'>;
}

export interface UpdatesSetup {
  updater: UpdaterApi;
  feed: string | undefined;
  /** How often the controller looks (default a minute; checking itself is rarer, update-policy.ts). */
  everyMs?: number;
}

/** Where the built app's parts are (dist/app and dist/renderer). */
export interface ShellFiles {
  rendererRoot: string;
  preload: string;
  vseEntry: string;
}

export interface ShellStartOptions extends ShellOptions {
  files: ShellFiles;
  logger?: Logger;
  /** Where SIGINT/SIGTERM arrive (the process); tests leave it out. */
  signals?: Pick<NodeJS.Process, 'on'>;
  platform?: NodeJS.Platform;
  /** The app's environment (the kiosk asks whether systemd started it); tests leave it out. */
  env?: NodeJS.ProcessEnv;
  /**
   * Loads electron-updater's autoUpdater and the update server it reads, in a packaged app
   * (docs/updates.md); undefined, or resolving undefined, means no updates.
   */
  updates?: () => Promise<UpdatesSetup | undefined>;
  /** Tests only: host options on top of the shell's (a fast VSE restart policy, fake devices). */
  host?: Pick<AppHostOptions, 'restart' | 'devices' | 'vseTimeoutMs' | 'settlement'>;
}

export class Shell {
  readonly factory: WindowFactory;
  readonly shutdown: Shutdown;
  readonly paths: TerminalPaths;
  private readonly electron: ElectronModules;
  private readonly options: ShellStartOptions;
  private readonly pages = shellPages();
  private opening: Promise<void> | undefined;
  appHost: AppHost | undefined;
  api: AppApiServer | undefined;
  ipc: IpcBridge | undefined;
  /** Why the terminal did not start, when it did not (the operator screen shows it). */
  problem: ShellProblem | undefined;
  /** The kiosk's decisions, in kiosk mode only. */
  readonly kiosk: KioskPolicy | undefined;
  /** Updates, in a packaged app. */
  updates: UpdateController | undefined;
  private updateTimer: NodeJS.Timeout | undefined;

  private constructor(electron: ElectronModules, options: ShellStartOptions) {
    this.electron = electron;
    this.options = options;
    this.paths = terminalPaths({ dataDir: dataDirFor(options, electron.app.getPath('userData')), env: {} });
    this.factory = new WindowFactory(electron.BrowserWindow, { preload: options.files.preload, kiosk: options.kiosk });
    this.kiosk = options.kiosk ? new KioskPolicy({ env: options.env ?? {} }) : undefined;
    this.shutdown = installOrderlyShutdown(electron.app, {
      close: () => this.close(),
      onError: (error) => this.log?.error({ err: error }, 'shutdown failed'),
      signals: options.signals,
    });
  }

  private get log(): Logger | undefined {
    return this.options.logger;
  }

  private readonly guardLog: GuardLog = (what, detail) => this.log?.warn(detail, what);

  /**
   * Starts the shell. Resolves with undefined when another instance already runs (it is
   * focused instead, and this one quits); otherwise with the shell once its windows are open.
   */
  static async start(electron: ElectronModules, options: ShellStartOptions): Promise<Shell | undefined> {
    const { app } = electron;
    if (!app.requestSingleInstanceLock()) {
      app.quit();
      return undefined;
    }
    // Before ready: these cannot be changed once the app is up.
    electron.protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
    app.enableSandbox();
    if (options.keyring !== undefined) app.commandLine.appendSwitch('password-store', options.keyring);
    const shell = new Shell(electron, options);
    for (const warning of options.warnings ?? []) shell.log?.warn(warning);
    guardAllWebContents(app, shell.guardLog);
    app.on('second-instance', () => shell.focus());

    await app.whenReady();
    electron.protocol.handle(APP_SCHEME, appProtocolHandler({ rendererRoot: options.files.rendererRoot, shellPages: shell.pages, placeholder: PLACEHOLDER_PAGE }));
    guardSession(electron.session.defaultSession, shell.guardLog);
    if (options.kiosk) electron.Menu.setApplicationMenu(null);
    const kiosk = shell.kiosk;
    if (kiosk !== undefined) {
      app.on('child-process-gone', (_event, details) => shell.onCrash(kiosk.childGone(details.type, details.reason), undefined, details));
    }

    shell.opening = shell.open();
    await shell.opening;
    return shell;
  }

  private async open(): Promise<void> {
    const { electron, options } = this;
    let appHost: AppHost;
    try {
      const key = await loadSealedDatabaseKey({ safeStorage: electron.safeStorage, paths: this.paths, platform: options.platform });
      this.log?.info({ source: key.source }, 'database key unsealed');
      appHost = await AppHost.open({
        ...options.host,
        dataDir: this.paths.dataDir,
        env: {},
        databaseKey: () => key,
        launcher: (vseDir) => utilityProcessLauncher(electron.utilityProcess, { entry: options.files.vseEntry, dataDir: vseDir }),
        demo: options.demo,
        logger: options.logger,
      });
    } catch (error) {
      this.showProblem(problemFor(error, this.paths.dataDir));
      this.log?.error({ err: error }, 'the terminal could not start');
      return;
    }
    this.appHost = appHost;
    const kiosk = this.kiosk;
    this.api = new AppApiServer(appHost, {
      onInvalidEvent: (error) => this.log?.error({ err: error }, 'event outside the contract'),
      ...(kiosk === undefined ? {} : { exitKiosk: () => this.exitKiosk(kiosk) }),
    });
    this.ipc = new IpcBridge(electron.ipcMain, this.api, { onRefused: (reason, contentsId) => this.log?.warn({ contentsId, reason }, 'app API call refused') });
    this.openWindow('cashier', 'cashier');
    if (options.display) this.openWindow('display', 'display');
    if (options.updates !== undefined) {
      options.updates().then(
        (setup) => {
          if (setup !== undefined && this.shutdown.state === 'running') this.startUpdates(appHost, setup);
        },
        (error: unknown) => this.log?.error({ err: error }, 'updates could not start'),
      );
    }
  }

  /** Looks for updates now and then; update-policy.ts decides, from the host's own state. */
  private startUpdates(host: AppHost, updates: UpdatesSetup): void {
    const env = this.options.env ?? {};
    this.updates = new UpdateController(updates.updater, {
      feed: updates.feed,
      underServiceManager: env.INVOCATION_ID !== undefined && env.INVOCATION_ID !== '',
      install: (handOver) => void this.shutdown.quit(handOver),
      log: (level, message, detail) => this.log?.[level](detail ?? {}, message),
      facts: {
        online: async () => (await host.status()).settlement.connectivity === 'online',
        forApply: async () => {
          const status = await host.status();
          const newest = host.enrolled ? (await host.vse.call('listPayments', { limit: 1, newestFirst: true })).payments[0] : undefined;
          return {
            till: host.enrolled ? host.payments.state : undefined,
            unsettled: status.settlement.unsettled.reduce((sum, total) => sum + total.count, 0),
            currentSchema: host.terminalHost?.identity.schemaVersion,
            // No backup is recorded where the app can see it yet (kassa backup records one):
            // until then a migrating update waits for every IOU to settle.
            lastBackupAt: undefined,
            lastPaymentAt: newest?.acceptedAt,
          };
        },
      },
    });
    const tick = () => {
      this.updates?.tick().then(
        (outcome) => {
          if (outcome.did !== 'nothing') this.log?.info({ outcome }, 'update check');
        },
        (error: unknown) => this.log?.warn({ err: error }, 'update check failed'),
      );
    };
    this.updateTimer = setInterval(tick, updates.everyMs ?? 60_000);
    this.updateTimer.unref();
    tick();
  }

  private openWindow(purpose: Exclude<WindowPurpose, 'problem'>, role: Role): MadeWindow {
    const made = this.factory.create(purpose);
    this.ipc!.attach(made, role);
    if (this.kiosk !== undefined) this.lockDown(made, this.kiosk);
    this.load(made, APP_START_URL);
    return made;
  }

  /** Kiosk: the window stays, the dangerous keys do nothing, a crashed renderer comes back. */
  private lockDown(made: MadeWindow, kiosk: KioskPolicy): void {
    made.window.on('close', (event) => {
      if (!kiosk.mayCloseWindow(this.shutdown.state)) event.preventDefault();
    });
    made.window.webContents.on('before-input-event', (event, input) => {
      if (blockedKey(input) !== undefined) event.preventDefault();
    });
    made.window.webContents.on('render-process-gone', (_event, details) => this.onCrash(kiosk.rendererGone(details.reason), made, details));
  }

  private onCrash(action: CrashAction, made: MadeWindow | undefined, details: object): void {
    if (action.do === 'ignore') return;
    this.log?.error({ ...details, action: action.do }, 'kiosk: a process of the app crashed');
    if (action.do === 'reload') {
      if (made !== undefined) this.load(made, APP_START_URL);
      return;
    }
    if (action.how === 'relaunch') this.electron.app.relaunch();
    void this.shutdown.quit(action.how === 'relaunch' ? undefined : action.status);
  }

  /** app.exitKiosk (operator, so after the manager PIN): shut down in order and exit with the kiosk's status. */
  private exitKiosk(kiosk: KioskPolicy): void {
    this.log?.info('kiosk: the manager left the kiosk');
    kiosk.authoriseExit();
    void this.shutdown.quit(kiosk.exitStatus);
  }

  private showProblem(problem: ShellProblem): void {
    this.problem = problem;
    this.pages.set(PROBLEM_PAGE_PATH, problemPage(problem));
    this.load(this.factory.create('problem'), `${APP_ORIGIN}${PROBLEM_PAGE_PATH}`);
  }

  private load(made: MadeWindow, url: string): void {
    made.window.loadURL(url).catch((error: unknown) => this.log?.error({ err: error, url }, 'a window could not load'));
  }

  /** A second start of the app brings the first one's window forward. */
  private focus(): void {
    const made = this.factory.first('cashier') ?? this.factory.first('problem');
    if (made === undefined) return;
    if (made.window.isMinimized()) made.window.restore();
    made.window.focus();
  }

  /** The orderly close: no new calls, the host shut down in its order, then the sessions. */
  private async close(): Promise<void> {
    clearInterval(this.updateTimer);
    this.ipc?.stopCalls();
    await this.opening;
    try {
      await this.appHost?.close();
    } finally {
      this.api?.close();
      this.ipc?.close();
    }
  }
}
