/**
 * The app host: everything one terminal runs, for as long as a shell (the headless host or the
 * Electron app) runs it — the data folder's lock, the terminal host (VSE, backend client,
 * SettlementService), the PaymentService, the DeviceService, the host's settings and the
 * manager PIN — with every change announced as an app API event. Free of Electron: a shell
 * plugs in how the VSE is started and where the database key comes from.
 *
 * A fresh data folder opens too (state `unconfigured`): the operator enrolls the terminal
 * from the UI, and the services start then.
 *
 * Shutting down goes in order: devices stop (no new scans), the payment in flight finishes,
 * settlement stops between batches, the VSE closes its database, the lock is freed.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { Emitter } from '../../base/common/emitter.ts';
import { DeviceManager } from '../../hardware/manager/device-manager.ts';
import type { DevicesConfig } from '../../hardware/manager/config.ts';
import type { RiskPolicyOverrides, VseResult } from '../../vse/contract/rpc.ts';
import { AppError, type AppEvent } from '../contract/app-api.ts';
import type { AttentionItem, HostSettings, TerminalStatus, Verdict } from '../contract/schemas.ts';
import { DeviceService, type Devices } from '../devices/device-service.ts';
import { appErrorOf, PaymentService } from '../payments/payment-service.ts';
import { configForEnrollment, readConfigFile, sameRootKeys, writeTerminalConfig, type ConfigFile, type TerminalConfig } from '../terminal/config.ts';
import { loadDatabaseKey, type DatabaseKey } from '../terminal/database-key.ts';
import { lockDataFolder, type DataFolderLock } from '../terminal/data-lock.ts';
import { EnrollmentError, enrollTerminal, type EnrollmentResult } from '../terminal/enrollment.ts';
import { TerminalSetupError } from '../terminal/errors.ts';
import { terminalPaths, type PathOptions, type TerminalPaths } from '../terminal/paths.ts';
import { RetentionService } from '../terminal/retention-service.ts';
import { TerminalHost, type TerminalHostOptions } from '../terminal/terminal-host.ts';
import { hostTimeZone } from '../reports/days.ts';
import { ReportService } from '../reports/report-service.ts';
import type { VseLauncher } from '../vse/launcher.ts';
import { defaultHostSection, hostSection, type HostSection } from './host-settings.ts';
import { hashPin, PinGuard } from './manager-pin.ts';
import { supervisorStateOf, terminalStatus } from './terminal-status.ts';

export interface AppHostOptions extends PathOptions {
  /** How to start the VSE (the Electron shell: a utilityProcess). Default: Node with the permission model. */
  launcher?: (vseDir: string) => VseLauncher;
  /** Where the database key comes from (the Electron shell: sealed by safeStorage). Default: key file or environment. */
  databaseKey?: (paths: TerminalPaths) => DatabaseKey;
  /** Builds the counter's devices from the configuration (tests pass emulator-friendly options). */
  devices?: (config: DevicesConfig) => Devices;
  logger?: Logger;
  /** Tests only: the VSE in test mode. */
  testMode?: boolean;
  policy?: RiskPolicyOverrides;
  settlement?: TerminalHostOptions['settlement'];
  vseTimeoutMs?: number;
  backendTimeoutMs?: number;
  /** Whether the VSE's supervisor restarts it, and how fast (tests make it fast). */
  restart?: TerminalHostOptions['restart'];
  /** The host runs with its demo tools. */
  demo?: boolean;
  /** The terminal's time zone for its business days (IANA name). Default: the platform's (`TZ`). */
  timeZone?: string;
}

/** `event`: app API events for every session; `verdict`: each payment decision, for the host's own listeners (metrics). */
export type AppHostEvents = { event: [AppEvent]; verdict: [Verdict] };

export class AppHost extends Emitter<AppHostEvents> {
  readonly paths: TerminalPaths;
  readonly demo: boolean;
  private readonly options: AppHostOptions;
  private readonly lock: DataFolderLock;
  private readonly pinGuard: PinGuard;
  private file: ConfigFile | undefined;
  private terminal: TerminalHost | undefined;
  private paymentService: PaymentService | undefined;
  private deviceService: DeviceService | undefined;
  private retentionService: RetentionService | undefined;
  private reportService: ReportService | undefined;
  private vseStatus: VseResult<'status'> | null = null;
  private detachers: (() => void)[] = [];
  private enrolling: Promise<EnrollmentResult> | undefined;
  private statusRefresh: Promise<void> | undefined;
  private statusDirty = false;
  private extraAttention: AttentionItem[] = [];
  private closed = false;

  private constructor(options: AppHostOptions, paths: TerminalPaths, lock: DataFolderLock, file: ConfigFile | undefined) {
    super();
    this.options = options;
    this.paths = paths;
    this.lock = lock;
    this.file = file;
    this.demo = options.demo ?? false;
    this.pinGuard = new PinGuard({ path: join(paths.dataDir, 'pin-attempts.json') });
  }

  /** Takes the data folder and starts the terminal if it is configured; a fresh folder opens unconfigured. */
  static async open(options: AppHostOptions = {}): Promise<AppHost> {
    const paths = terminalPaths(options);
    try {
      mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', `cannot create the data folder ${paths.dataDir}: ${(error as Error).message}`, { cause: error });
    }
    const lock = lockDataFolder(paths.lockFile);
    let host: AppHost;
    try {
      host = new AppHost(options, paths, lock, readConfigFile(paths.configFile));
    } catch (error) {
      lock.release();
      throw error;
    }
    try {
      const config = host.terminalConfig;
      if (config !== undefined) await host.startTerminal(config);
    } catch (error) {
      await host.close();
      throw error;
    }
    return host;
  }

  private get log(): Logger | undefined {
    return this.options.logger;
  }

  /** The config when it names a backend and root keys (the VSE can start), else undefined. */
  private get terminalConfig(): TerminalConfig | undefined {
    const file = this.file;
    return file?.backendUrl !== undefined && file.rootKeys !== undefined ? (file as TerminalConfig) : undefined;
  }

  get settings(): HostSection {
    return this.file?.host ?? defaultHostSection();
  }

  get enrolled(): boolean {
    return this.vseStatus?.certificate != null;
  }

  get payments(): PaymentService {
    if (this.paymentService === undefined || !this.enrolled) throw new AppError('NOT_ENROLLED', 'this terminal is not enrolled yet: an operator enrolls it first');
    return this.paymentService;
  }

  get devices(): DeviceService | undefined {
    return this.deviceService;
  }

  get terminalHost(): TerminalHost | undefined {
    return this.terminal;
  }

  /** Retention's rounds while the terminal's services run (tests wait for its `purged` event). */
  get retention(): RetentionService | undefined {
    return this.retentionService;
  }

  /** End-of-day reports: business days in the terminal's time zone, closed into numbered Z reports. */
  get reports(): ReportService {
    const terminal = this.terminal;
    if (terminal === undefined || !this.enrolled) throw new AppError('NOT_ENROLLED', 'this terminal is not enrolled yet: an operator enrolls it first');
    this.reportService ??= new ReportService({ vse: terminal.vse, timeZone: this.options.timeZone ?? hostTimeZone(), till: () => this.settings.till });
    return this.reportService;
  }

  /** The VSE's own status, for handlers that need more than the terminal status. */
  get vse() {
    if (this.terminal === undefined) throw new AppError('NOT_ENROLLED', 'this terminal is not set up yet: an operator enrolls it first');
    return this.terminal.vse;
  }

  private publish(event: AppEvent): void {
    this.emit('event', event);
  }

  // ---------------------------------------------------------------------------------------
  // Starting and stopping the terminal's services

  private async startTerminal(config: TerminalConfig): Promise<void> {
    const key = (this.options.databaseKey ?? ((paths) => loadDatabaseKey(paths, this.options.env)))(this.paths);
    const terminal = await TerminalHost.start({
      paths: this.paths,
      config,
      databaseKey: key.key,
      databaseKeySource: key.source,
      lock: this.lock,
      launcher: this.options.launcher?.(this.paths.vseDir),
      testMode: this.options.testMode,
      policy: this.options.policy,
      settlement: this.options.settlement,
      vseTimeoutMs: this.options.vseTimeoutMs,
      backendTimeoutMs: this.options.backendTimeoutMs,
      restart: this.options.restart,
    });
    this.terminal = terminal;
    this.vseStatus = await terminal.vse.call('status', {});
    this.attach(terminal);
    if (this.enrolled) this.startServices(terminal);
    this.log?.info({ terminalId: this.vseStatus.certificate?.terminalId ?? null, dataDir: this.paths.dataDir }, 'terminal started');
    this.refreshStatus();
  }

  private attach(terminal: TerminalHost): void {
    this.detachers.push(
      terminal.vse.on((event) => {
        if (event.kind === 'state') {
          this.log?.info({ state: event.state, detail: event.detail }, 'vse state');
          this.refreshStatus();
        } else if (event.kind === 'exit' && !event.expected) {
          this.log?.warn({ code: event.code, signal: event.signal }, 'vse exited unexpectedly');
        } else if (event.kind === 'vse') {
          if (event.event.name === 'storage-error') this.noteStorage(event.event.message);
          this.refreshStatus();
        }
      }),
    );
  }

  private startServices(terminal: TerminalHost): void {
    const payments = new PaymentService({
      vse: terminal.vse,
      merchantName: () => this.vseStatus?.certificate?.merchantName ?? '',
      currency: () => this.settings.currency,
      requestTtlSeconds: () => this.settings.requestTtlSeconds,
    });
    this.paymentService = payments;
    this.detachers.push(
      payments.on('state', (state) => this.publish({ name: 'till', state })),
      payments.on('verdict', (verdict) => {
        this.emit('verdict', verdict);
        if (verdict.outcome === 'rejected') this.log?.info({ reason: verdict.reason, channel: verdict.channel, noOpenRequest: verdict.noOpenRequest }, 'payment refused');
        else this.log?.info({ outcome: verdict.outcome, iouId: verdict.payment.iouId, amount: verdict.payment.amount, currency: verdict.payment.currency, channel: verdict.channel }, 'payment accepted');
      }),
    );

    const config = { devices: this.settings.devices };
    const manager = this.options.devices?.(config) ?? new DeviceManager(config);
    const devices = new DeviceService({
      devices: manager,
      payments,
      autoPrint: () => this.settings.autoPrint,
      receiptFacts: () => ({ merchantName: this.vseStatus?.certificate?.merchantName ?? '', terminalId: this.vseStatus?.certificate?.terminalId ?? '' }),
      paymentDetails: async (iouId) => {
        const found = await terminal.vse.call('getPayment', { iouId });
        return found === null ? null : { amount: found.payment.amount, currency: found.payment.currency, acceptedAt: found.payment.acceptedAt, receipt: found.receipt };
      },
    });
    this.deviceService = devices;
    this.detachers.push(
      devices.on('devices', (list) => this.publish({ name: 'devices', devices: list })),
      devices.on('notice', (notice) => {
        this.log?.warn({ code: notice.code }, notice.message);
        this.publish({ name: 'notice', ...notice });
      }),
    );
    devices.start();

    const settlement = terminal.settlement;
    this.detachers.push(
      settlement.on('status', () => {
        this.refreshStatus();
      }),
      settlement.on('cycle-finished', (report) => this.log?.info({ ok: report.ok, batches: report.batches, counts: report.counts, failure: report.failure?.code }, 'settlement cycle')),
    );
    settlement.start();

    const retention = new RetentionService({ vse: terminal.vse, settings: () => this.file?.retention, timers: this.options.settlement?.timers });
    this.retentionService = retention;
    this.detachers.push(
      retention.on('purged', (summary) => {
        if (summary.payments + summary.paymentRequests > 0) this.log?.info(summary, 'retention purged');
      }),
      retention.on('failed', (error) => this.log?.warn({ err: error }, 'retention purge failed; the next round tries again')),
    );
    retention.start();
  }

  private noteStorage(message: string): void {
    this.extraAttention = [{ kind: 'storage', message, iouId: null, at: Date.now() }];
  }

  // ---------------------------------------------------------------------------------------
  // Status

  /** Recomputes the terminal status and announces it; calls while one runs coalesce into one more. */
  refreshStatus(): void {
    if (this.closed) return;
    if (this.statusRefresh !== undefined) {
      this.statusDirty = true;
      return;
    }
    this.statusRefresh = (async () => {
      do {
        this.statusDirty = false;
        const status = await this.computeStatus();
        this.publish({ name: 'terminal', status });
        if (this.terminal?.settlement !== undefined && this.enrolled) this.publish({ name: 'settlement', settlement: status.settlement });
      } while (this.statusDirty && !this.closed);
    })().finally(() => {
      this.statusRefresh = undefined;
    });
  }

  status(): Promise<TerminalStatus> {
    return this.computeStatus();
  }

  private async computeStatus(): Promise<TerminalStatus> {
    const terminal = this.terminal;
    const now = Math.floor(Date.now() / 1000);
    if (terminal === undefined) {
      return terminalStatus({ state: 'unconfigured', stateDetail: 'this terminal is not set up yet: an operator enrolls it', vse: null, settlement: null, settings: this.settings, extraAttention: [], now });
    }
    const state = supervisorStateOf(terminal.vse.state);
    if (state === 'ready') {
      try {
        this.vseStatus = await terminal.vse.call('status', {}, { timeoutMs: 5_000 });
      } catch {
        // The VSE went away between the state check and the call: the last status stands, marked below.
      }
    }
    const settlement = this.enrolled ? terminal.settlement.status : null;
    return terminalStatus({
      state: state === 'ready' && !this.enrolled ? 'unconfigured' : state,
      stateDetail: state === 'ready' ? (this.enrolled ? null : 'this terminal is not enrolled yet: an operator enrolls it') : `the secure element is ${terminal.vse.state}`,
      vse: this.vseStatus,
      settlement,
      settings: this.settings,
      extraAttention: this.extraAttention,
      now,
    });
  }

  // ---------------------------------------------------------------------------------------
  // Enrollment, settings, PIN

  /** Enrolls the terminal (operator); a fresh folder gets its configuration and its services. */
  async enroll(params: { backendUrl: string; token: string; rootKeys: string[]; terminalId?: string }): Promise<EnrollmentResult> {
    if (this.enrolling !== undefined) throw new AppError('ENROLLMENT_FAILED', 'an enrollment is already running');
    this.enrolling = this.runEnrollment(params).finally(() => {
      this.enrolling = undefined;
    });
    return this.enrolling;
  }

  private async runEnrollment(params: { backendUrl: string; token: string; rootKeys: string[]; terminalId?: string }): Promise<EnrollmentResult> {
    const existing = this.terminalConfig;
    if (existing !== undefined && this.enrolled) {
      if (existing.backendUrl !== params.backendUrl || !sameRootKeys(existing.rootKeys, params.rootKeys)) {
        throw new AppError('ENROLLMENT_FAILED', `this terminal is enrolled with ${existing.backendUrl}; a terminal is enrolled once (use another data folder for another scheme)`);
      }
      return this.enrollWith(this.terminal!, params);
    }
    // Not enrolled yet: (re)start the VSE with the configuration to enroll with.
    let config: TerminalConfig;
    try {
      config = configForEnrollment(this.file as TerminalConfig | undefined, params.backendUrl, params.rootKeys);
    } catch (error) {
      throw new AppError('CONFIG_INVALID', (error as Error).message, { cause: error });
    }
    await this.stopTerminal();
    try {
      await this.startTerminal(config);
      const result = await this.enrollWith(this.terminal!, params);
      this.file = { ...config, host: this.settings };
      writeTerminalConfig(this.paths.configFile, this.file);
      this.vseStatus = await this.terminal!.vse.call('status', {});
      this.startServices(this.terminal!);
      this.log?.info({ terminalId: result.terminalId, merchantId: result.merchantId }, 'terminal enrolled');
      this.publish({ name: 'session' });
      this.refreshStatus();
      return result;
    } catch (error) {
      // Nothing written: the operator corrects the backend, token or root key and tries again.
      await this.stopTerminal();
      this.refreshStatus();
      throw error;
    }
  }

  private async enrollWith(terminal: TerminalHost, params: { token: string; terminalId?: string }): Promise<EnrollmentResult> {
    try {
      return await enrollTerminal(terminal, { token: params.token, ...(params.terminalId === undefined ? {} : { terminalId: params.terminalId }) });
    } catch (error) {
      if (error instanceof EnrollmentError || error instanceof TerminalSetupError) throw new AppError('ENROLLMENT_FAILED', `${error.message} [${error.code}]`, { cause: error });
      throw appErrorOf(error);
    }
  }

  hostSettings(): HostSettings {
    const { till, language, currency, autoPrint, requestTtlSeconds } = this.settings;
    return { till, language, currency, autoPrint, requestTtlSeconds };
  }

  /** Changes host settings (operator) and writes them into config.json. */
  updateSettings(patch: Partial<HostSettings>): HostSettings {
    this.writeHost({ ...this.settings, ...patch });
    this.refreshStatus();
    return this.hostSettings();
  }

  private writeHost(host: HostSection): void {
    const parsed = hostSection.safeParse(host);
    if (!parsed.success) throw new AppError('CONFIG_INVALID', parsed.error.issues.map((i) => `host.${i.path.join('.')}: ${i.message}`).join('; '));
    const file: ConfigFile = { ...(this.file ?? { format: 'kassa-terminal/1' }), host: parsed.data };
    writeTerminalConfig(this.paths.configFile, file);
    this.file = file;
    this.publish({ name: 'session' });
  }

  get pinSet(): boolean {
    return this.settings.pin !== undefined;
  }

  /** Checks the manager PIN (attempts limited; throws PIN_WRONG, PIN_LOCKED, PIN_NOT_SET). */
  checkPin(pin: string): void {
    this.pinGuard.check(pin, this.settings.pin);
  }

  setPin(pin: string): void {
    this.writeHost({ ...this.settings, pin: hashPin(pin) });
  }

  // ---------------------------------------------------------------------------------------

  private async stopTerminal(): Promise<void> {
    for (const detach of this.detachers.splice(0)) detach();
    await this.retentionService?.stop();
    this.retentionService = undefined;
    await this.deviceService?.stop();
    this.deviceService = undefined;
    const payments = this.paymentService;
    if (payments !== undefined) {
      await payments.drain();
      payments.close();
    }
    this.paymentService = undefined;
    this.reportService = undefined;
    await this.terminal?.close();
    this.terminal = undefined;
    this.vseStatus = null;
  }

  /** Shuts down in order: devices, the payment in flight, settlement, the VSE; then frees the folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.stopTerminal();
      await this.statusRefresh;
    } finally {
      this.lock.release();
      this.log?.info('host closed');
    }
  }
}
