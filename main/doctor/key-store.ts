/**
 * The key store: the database key (present, 32 bytes of hex, a 0600 file of this user's) and
 * the terminal's own key with its certificate (in the VSE: enrolled, not expired).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { VseResult } from '../../vse/contract/rpc.ts';
import { SEALED_KEY_FILE } from '../electron/sealed-key.ts';
import { loadDatabaseKey, VSE_DATABASE_FILE, type DatabaseKey } from '../terminal/database-key.ts';
import { TerminalSetupError } from '../terminal/errors.ts';
import { ENV, type TerminalPaths } from '../terminal/paths.ts';
import { fail, ok, warn, type CheckResult } from './check.ts';

/** Warn this long before the terminal certificate ends. */
export const CERTIFICATE_WARNING_SECONDS = 30 * 86_400;

/** The database key without side effects: never makes one up (loadDatabaseKey would, on a fresh folder). */
export function readDatabaseKey(paths: TerminalPaths, env: NodeJS.ProcessEnv): { key?: DatabaseKey; result: CheckResult } {
  const fromEnv = env[ENV.databaseKey] !== undefined && env[ENV.databaseKey] !== '';
  if (!fromEnv && !existsSync(paths.keyFile) && existsSync(join(paths.dataDir, SEALED_KEY_FILE))) {
    // The Electron app's key: only the app, through the OS keyring, can unseal it.
    return {
      result: warn('key-store', `the database key is sealed by the OS keyring (${join(paths.dataDir, SEALED_KEY_FILE)}): the doctor cannot open the database outside the app`, 'check the database from the app, or run kassa doctor with the key in $KASSA_DB_KEY'),
    };
  }
  if (!fromEnv && !existsSync(paths.keyFile)) {
    const hasDatabase = existsSync(join(paths.vseDir, VSE_DATABASE_FILE));
    return {
      result: fail(
        'key-store',
        `no database key: ${paths.keyFile} does not exist and $${ENV.databaseKey} is not set`,
        hasDatabase ? `restore the key file from where it was kept (a backup made with --with-key holds it), or set $${ENV.databaseKey}` : 'enroll the terminal first (kassa enroll), which makes the key',
      ),
    };
  }
  try {
    const key = loadDatabaseKey(paths, env);
    return { key, result: ok('key-store', `database key from ${key.source.kind === 'environment' ? `$${key.source.variable}` : paths.keyFile}`) };
  } catch (error) {
    if (!(error instanceof TerminalSetupError)) throw error;
    const hint = error.code === 'KEY_FILE_INSECURE' ? `chmod 600 ${paths.keyFile} (and chown it to this user)` : `the key must be 64 hex characters: restore the original key file or $${ENV.databaseKey}`;
    return { result: fail('key-store', `${error.message} [${error.code}]`, hint) };
  }
}

/** The database key's result, then the terminal key and certificate as the VSE reports them. */
export function keyStoreCheck(keyResult: CheckResult, status: VseResult<'status'> | undefined, now: number): CheckResult {
  if (keyResult.status !== 'ok' || status === undefined) return keyResult;
  const certificate = status.certificate;
  const details = { terminalKey: Buffer.from(status.terminalKey).toString('hex'), terminalId: certificate?.terminalId ?? null, certificateNotAfter: certificate?.notAfter ?? null };
  if (certificate === null) return fail('key-store', `${keyResult.summary}; the terminal key has no certificate: not enrolled`, 'enroll the terminal: kassa enroll --backend URL --token T --root-key HEX', details);
  if (certificate.notAfter < now) return fail('key-store', `the terminal certificate of ${certificate.terminalId} ended ${new Date(certificate.notAfter * 1000).toISOString()}`, 'ask the scheme for a new certificate: enroll again with a fresh token', details);
  if (certificate.notAfter - now < CERTIFICATE_WARNING_SECONDS) {
    return warn('key-store', `the terminal certificate of ${certificate.terminalId} ends ${new Date(certificate.notAfter * 1000).toISOString()}`, 'renew it soon: enroll again with a fresh token', details);
  }
  return ok('key-store', `${keyResult.summary}; terminal ${certificate.terminalId}, certificate valid until ${new Date(certificate.notAfter * 1000).toISOString().slice(0, 10)}`, details);
}
