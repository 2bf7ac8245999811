/**
 * The cash registers allowed in (config.json `host.ecr.clients`), changed from the command line
 * (`kassa ecr add|revoke|list`). A change takes the data folder's lock like every terminal
 * command: a running host holds it, and the host writes config.json from its own copy (settings,
 * PIN), so a change made beside it could be lost. The host is stopped for the change, and reads
 * the list again when it starts.
 */
import { mkdirSync } from 'node:fs';
import { TERMINAL_CONFIG_FORMAT, readConfigFile, writeTerminalConfig, type ConfigFile } from '../terminal/config.ts';
import { CodedError } from '../../base/common/coded-error.ts';
import { lockDataFolder } from '../terminal/data-lock.ts';
import { TerminalSetupError } from '../terminal/errors.ts';
import { terminalPaths, type PathOptions } from '../terminal/paths.ts';
import { defaultHostSection, ecrClient, type EcrClient } from '../host/host-settings.ts';
import { newEcrToken, tokenSha256 } from './credentials.ts';

export type RegisterErrorCode = 'NAME_INVALID' | 'EXISTS' | 'NOT_FOUND';

export class RegisterError extends CodedError<RegisterErrorCode> {
  constructor(code: RegisterErrorCode, message: string) {
    super(code, message);
    this.name = 'RegisterError';
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A new register with a fresh token; a revoked one of the same name is replaced (a new token for the same register). */
export function addRegister(clients: readonly EcrClient[], name: string, now = nowSeconds()): { clients: EcrClient[]; token: string; replacedRevoked: boolean } {
  const checked = ecrClient.shape.name.safeParse(name);
  if (!checked.success) throw new RegisterError('NAME_INVALID', `a register name is ${checked.error.issues[0]!.message}: got ${JSON.stringify(name)}`);
  const existing = clients.find((client) => client.name === name);
  if (existing !== undefined && existing.revokedAt === null) throw new RegisterError('EXISTS', `register ${name} exists: revoke it first to give it a new token (kassa ecr revoke ${name})`);
  const token = newEcrToken();
  const added: EcrClient = { name, tokenSha256: tokenSha256(token), createdAt: now, revokedAt: null };
  return { clients: [...clients.filter((client) => client.name !== name), added], token, replacedRevoked: existing !== undefined };
}

export function revokeRegister(clients: readonly EcrClient[], name: string, now = nowSeconds()): { clients: EcrClient[]; alreadyRevoked: boolean } {
  const existing = clients.find((client) => client.name === name);
  if (existing === undefined) throw new RegisterError('NOT_FOUND', `no register is called ${JSON.stringify(name)} (kassa ecr list shows them)`);
  if (existing.revokedAt !== null) return { clients: [...clients], alreadyRevoked: true };
  return { clients: clients.map((client) => (client.name === name ? { ...client, revokedAt: now } : client)), alreadyRevoked: false };
}

/** The registers as config.json has them (none when there is no file yet). */
export function readRegisters(options: PathOptions): EcrClient[] {
  return readConfigFile(terminalPaths(options).configFile)?.host?.ecr.clients ?? [];
}

/**
 * Changes the register list under the data folder's lock. A running host holds the lock: the
 * error then says to stop it first.
 */
export function changeRegisters<T>(options: PathOptions, change: (clients: readonly EcrClient[]) => { clients: EcrClient[]; result: T }): T {
  const paths = terminalPaths(options);
  try {
    mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', `cannot create the data folder ${paths.dataDir}: ${(error as Error).message}`, { cause: error });
  }
  let lock;
  try {
    lock = lockDataFolder(paths.lockFile);
  } catch (error) {
    if (error instanceof TerminalSetupError && error.code === 'DATA_FOLDER_IN_USE') {
      throw new TerminalSetupError('DATA_FOLDER_IN_USE', `${error.message}. The register list changes only while the host is stopped: stop kassa serve (or the app), change it, start the host again`);
    }
    throw error;
  }
  try {
    const file: ConfigFile = readConfigFile(paths.configFile) ?? { format: TERMINAL_CONFIG_FORMAT };
    const host = file.host ?? defaultHostSection();
    const { clients, result } = change(host.ecr.clients);
    writeTerminalConfig(paths.configFile, { ...file, host: { ...host, ecr: { ...host.ecr, clients } } });
    return result;
  } finally {
    lock.release();
  }
}
