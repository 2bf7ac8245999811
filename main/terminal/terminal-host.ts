/**
 * The terminal host's lifecycle, free of Electron: from a data folder to a running VSE with
 * its configuration, a backend client and a SettlementService. The command line uses it for
 * one command at a time; the headless host and the Electron shell will hold one for their
 * whole life (the Electron shell with its own launcher and its safeStorage-sealed key).
 *
 *   const host = await openTerminal({ dataDir });   // config, key, lock, VSE started
 *   host.settlement.start();                         // settles by itself from now on
 *   …
 *   await host.close();                              // settlement stopped, VSE shut down, lock freed
 */
import { mkdirSync } from 'node:fs';
import type { RiskPolicyOverrides, VseResult } from '../../vse/contract/rpc.ts';
import { BackendClient } from '../settlement/backend-client.ts';
import { SettlementService, type SettlementOptions, type SettlementServiceDeps } from '../settlement/settlement-service.ts';
import { fileStatusStore } from '../settlement/settlement-status.ts';
import { forkLauncher, type VseLauncher } from '../vse/launcher.ts';
import { VseSupervisor, type RestartPolicy } from '../vse/supervisor.ts';
import { readTerminalConfig, rootKeyBytes, type SettlementSettings, type TerminalConfig } from './config.ts';
import { lockDataFolder, type DataFolderLock } from './data-lock.ts';
import { diskFullError, freeBytes, MIN_FREE_BYTES } from './disk-space.ts';
import { loadDatabaseKey, type DatabaseKeySource } from './database-key.ts';
import { TerminalSetupError } from './errors.ts';
import { terminalPaths, type PathOptions, type TerminalPaths } from './paths.ts';

/**
 * What a command needs of the data folder. `write` (the default): the lock, and room to store
 * payments; a full disk is a DISK_FULL error. `read` (`kassa status`): the same while there
 * is room, and on a full disk the VSE read-only with nothing written at all, not even the lock
 * (a read-only VSE cannot harm another host's database, and SQLite lets it read beside one).
 * `beside` (`kassa export`, `kassa backup`, `kassa doctor`): never the lock, the VSE read-only
 * — these run while the terminal itself runs (WAL: a reader never blocks the running VSE's
 * commits, and sees one consistent snapshot).
 */
export type TerminalAccess = 'write' | 'read' | 'beside';

export interface TerminalHostOptions {
  paths: TerminalPaths;
  access?: TerminalAccess;
  config: TerminalConfig;
  databaseKey: Uint8Array;
  databaseKeySource?: DatabaseKeySource;
  /** How to start the VSE process; the VSE under plain Node with the permission model by default. */
  launcher?: VseLauncher;
  /** Tests only: the VSE in test mode (a database made in test mode stays in test mode). */
  testMode?: boolean;
  /** Policy overrides on top of the config file's (tests, benchmarks). */
  policy?: RiskPolicyOverrides;
  restart?: Partial<RestartPolicy>;
  /** Per VSE call, unless the call says otherwise. */
  vseTimeoutMs?: number;
  /** The data folder's lock, when the caller holds it for longer than this host lives (the app host). */
  lock?: DataFolderLock;
  /** Per backend call, over the config file's `settlement.requestTimeoutSeconds` (tests). */
  backendTimeoutMs?: number;
  /** Settlement timings on top of the config file's, and test clocks. */
  settlement?: Partial<SettlementOptions> & Pick<SettlementServiceDeps, 'timers' | 'random'>;
}

/** The config file's settlement settings in the service's units. */
export function settlementOptionsFrom(settings: SettlementSettings = {}): Partial<SettlementOptions> {
  const options: Partial<SettlementOptions> = {};
  if (settings.batchSize !== undefined) options.batchSize = settings.batchSize;
  if (settings.idleProbeSeconds !== undefined) options.idleProbeMs = settings.idleProbeSeconds * 1000;
  if (settings.trustListRefreshSeconds !== undefined) options.trustListRefreshMs = settings.trustListRefreshSeconds * 1000;
  if (settings.initialBackoffMs !== undefined) options.initialBackoffMs = settings.initialBackoffMs;
  if (settings.maxBackoffSeconds !== undefined) options.maxBackoffMs = settings.maxBackoffSeconds * 1000;
  return options;
}

/**
 * Takes the data folder for one host: the lock where there is room, or, for a command that
 * only reads, nothing on a full disk (the VSE then opens read-only and writes nothing).
 */
function takeDataFolder(paths: TerminalPaths, access: TerminalAccess): { lock?: DataFolderLock; storageProblem?: TerminalSetupError; readOnly?: true } {
  if (access === 'beside') return { readOnly: true };
  const free = freeBytes(paths.dataDir);
  if (free === undefined || free >= MIN_FREE_BYTES) {
    try {
      return { lock: lockDataFolder(paths.lockFile) };
    } catch (error) {
      // The disk filled up between the look and the lock.
      if (!(error instanceof TerminalSetupError && error.code === 'DISK_FULL' && access === 'read')) throw error;
      return { storageProblem: error };
    }
  }
  const problem = diskFullError(paths.dataDir);
  if (access === 'write') throw problem;
  return { storageProblem: problem };
}

export class TerminalHost {
  readonly paths: TerminalPaths;
  readonly config: TerminalConfig;
  readonly vse: VseSupervisor;
  readonly databaseKeySource: DatabaseKeySource | undefined;
  /** Why this host runs its VSE read-only (a full disk), for the operator; undefined when it does not. */
  readonly storageProblem: TerminalSetupError | undefined;
  private readonly options: TerminalHostOptions;
  /** Released on close, unless the caller owns it. */
  private readonly lock: DataFolderLock | undefined;
  private client: BackendClient | undefined;
  private service: SettlementService | undefined;
  private closed = false;

  private constructor(options: TerminalHostOptions, vse: VseSupervisor, lock: DataFolderLock | undefined, storageProblem: TerminalSetupError | undefined) {
    this.options = options;
    this.storageProblem = storageProblem;
    this.paths = options.paths;
    this.config = options.config;
    this.databaseKeySource = options.databaseKeySource;
    this.vse = vse;
    this.lock = lock;
  }

  /** Takes the data folder, starts the VSE and initialises it with the configuration. */
  static async start(options: TerminalHostOptions): Promise<TerminalHost> {
    const { paths, config } = options;
    try {
      mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', `cannot create the data folder ${paths.dataDir}: ${(error as Error).message}`, { cause: error });
    }
    // A caller that holds the folder's lock for longer (the app host) passes it in and keeps it;
    // its VSE runs read-write and answers STORAGE_FULL per write while the disk is full, and
    // works again once there is room.
    const ownLock = options.lock === undefined;
    const { lock, storageProblem, readOnly } = ownLock ? takeDataFolder(paths, options.access ?? 'write') : { lock: options.lock, storageProblem: undefined, readOnly: undefined };
    const vse = new VseSupervisor({
      launcher: options.launcher ?? forkLauncher({ dataDir: paths.vseDir, testMode: options.testMode }),
      init: {
        dataDir: paths.vseDir,
        databaseKey: options.databaseKey,
        rootKeys: rootKeyBytes(config),
        policy: { ...config.policy, ...options.policy },
        ...(storageProblem === undefined && readOnly === undefined ? {} : { readOnly: true }),
      },
      defaultTimeoutMs: options.vseTimeoutMs ?? 30_000,
      restart: options.restart,
    });
    try {
      await vse.start();
    } catch (error) {
      if (ownLock) lock?.release();
      throw error;
    }
    return new TerminalHost(options, vse, ownLock ? lock : undefined, storageProblem);
  }

  /** What the VSE answered to init: its public key and terminal id (null before enrollment). */
  get identity(): VseResult<'init'> {
    return this.vse.initResult!;
  }

  /** The client for the configured backend. */
  get backend(): BackendClient {
    const timeoutSeconds = this.config.settlement?.requestTimeoutSeconds;
    const timeoutMs = this.options.backendTimeoutMs ?? (timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000);
    this.client ??= new BackendClient({ baseUrl: this.config.backendUrl, timeoutMs });
    return this.client;
  }

  /** The SettlementService for this terminal (made once; `start()` it to settle by itself). */
  get settlement(): SettlementService {
    const { timers, random, ...overrides } = this.options.settlement ?? {};
    this.service ??= new SettlementService({
      vse: this.vse,
      backend: this.backend,
      options: { ...settlementOptionsFrom(this.config.settlement), ...overrides },
      timers,
      random,
      statusStore: fileStatusStore(this.paths.statusFile),
    });
    return this.service;
  }

  /** Stops settlement, shuts the VSE down cleanly, frees the data folder. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.service?.stop();
      await this.vse.stop();
    } finally {
      this.lock?.release();
    }
  }
}

export interface OpenTerminalOptions extends PathOptions, Omit<TerminalHostOptions, 'paths' | 'config' | 'databaseKey' | 'databaseKeySource'> {}

/** Opens a configured terminal: its config file, its database key, its VSE. */
export async function openTerminal(options: OpenTerminalOptions = {}): Promise<TerminalHost> {
  const paths = terminalPaths(options);
  const config = readTerminalConfig(paths.configFile);
  const { key, source } = loadDatabaseKey(paths, options.env);
  return TerminalHost.start({ ...options, paths, config, databaseKey: key, databaseKeySource: source });
}
