/**
 * `runDoctor`: every check over one data folder. The VSE part runs in a read-only VSE beside
 * the running terminal (no lock taken, nothing written), so the doctor can be asked while the
 * till is serving customers.
 */
import type { DeviceConfig } from '../../hardware/manager/config.ts';
import type { VseResult } from '../../vse/contract/rpc.ts';
import { readConfigFile, type ConfigFile, type TerminalConfig } from '../terminal/config.ts';
import { terminalPaths, type PathOptions } from '../terminal/paths.ts';
import { TerminalHost, type TerminalHostOptions } from '../terminal/terminal-host.ts';
import { backendCheck, clockCheck, probeBackend, type BackendProbe } from './backend.ts';
import { fail, ok, type CheckResult } from './check.ts';
import { dataFolderCheck } from './data-folder.ts';
import { databaseCheck } from './database.ts';
import { devicesCheck, udevRulesCheck, UDEV_RULES_DIRS } from './devices.ts';
import { keyStoreCheck, readDatabaseKey } from './key-store.ts';
import { runtimeCheck } from './runtime.ts';
import { trustListCheck } from './trust-list.ts';

export interface DoctorOptions extends PathOptions {
  /** This machine's clock, ms (tests skew it). */
  now?: () => number;
  versions?: { node: string; electron?: string };
  udevRulesDirs?: readonly string[];
  backendTimeoutMs?: number;
  /** How to start the VSE (tests). */
  host?: Partial<TerminalHostOptions>;
}

export interface DoctorReport {
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: CheckResult[];
}

function configCheck(path: string): { file?: ConfigFile; result: CheckResult } {
  try {
    const file = readConfigFile(path);
    if (file === undefined) return { result: fail('config', `${path} does not exist`, 'enroll the terminal: kassa enroll --backend URL --token T --root-key HEX') };
    if (file.backendUrl === undefined || file.rootKeys === undefined) return { file, result: fail('config', `${path} names no backend or root key: the terminal is not enrolled`, 'enroll the terminal: kassa enroll --backend URL --token T --root-key HEX') };
    return { file, result: ok('config', `${path}: backend ${file.backendUrl}, ${file.rootKeys.length} root key(s)`) };
  } catch (error) {
    return { result: fail('config', (error as Error).message, `fix or restore ${path} (a backup holds a copy)`) };
  }
}

export async function runDoctor(options: DoctorOptions = {}): Promise<DoctorReport> {
  const now = options.now ?? Date.now;
  const env = options.env ?? process.env;
  const paths = terminalPaths(options);
  const checks: CheckResult[] = [runtimeCheck(options.versions ?? { node: process.versions.node, ...(process.versions.electron === undefined ? {} : { electron: process.versions.electron }) })];
  const folder = dataFolderCheck(paths);
  checks.push(folder);
  const config = configCheck(paths.configFile);
  checks.push(config.result);
  const key = readDatabaseKey(paths, env);

  let status: VseResult<'status'> | undefined;
  let stored: VseResult<'databaseCheck'> | undefined;
  let openError: Error | undefined;
  if (config.result.status === 'ok' && key.key !== undefined) {
    try {
      const host = await TerminalHost.start({ ...options.host, paths, config: config.file as TerminalConfig, databaseKey: key.key.key, databaseKeySource: key.key.source, access: 'beside', restart: { maxCrashes: 0 } });
      try {
        status = await host.vse.call('status', {});
        stored = await host.vse.call('databaseCheck', {}, { timeoutMs: 600_000 });
      } finally {
        await host.close();
      }
    } catch (error) {
      openError = error as Error;
    }
  }
  const nowSeconds = Math.floor(now() / 1000);
  checks.push(keyStoreCheck(key.result, status, nowSeconds));
  checks.push(databaseCheck(stored, openError, key.result.status === 'warn' ? 'not opened: the database key is sealed by the app' : undefined));
  checks.push(trustListCheck(status, nowSeconds));

  const devices: DeviceConfig[] = config.file?.host?.devices ?? [];
  const devicesResult = await devicesCheck(devices);
  checks.push(devicesResult, udevRulesCheck(devices, devicesResult, options.udevRulesDirs ?? UDEV_RULES_DIRS));

  const backendUrl = config.file?.backendUrl;
  const probe: BackendProbe | undefined = backendUrl === undefined ? undefined : await probeBackend(backendUrl, now, options.backendTimeoutMs);
  checks.push(backendCheck(backendUrl, probe), clockCheck(probe));
  return { ok: checks.every((c) => c.status !== 'fail'), checks };
}
