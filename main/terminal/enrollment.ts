/**
 * Enrollment (`kassa enroll`): the VSE has made its key; the backend certifies it with a
 * one-time token (`POST /v1/terminals`); the trust list is fetched and installed (checked by
 * the VSE against the configured root keys), then the certificate (checked by the VSE: its
 * key, its issuer in the trust list).
 *
 * Safe to run again: an enrolled terminal only refreshes its trust list; a retry after a lost
 * answer sends the same token, id and key, and the backend answers with the same certificate.
 * The default terminal id is derived from the terminal key, so it is the same on every retry.
 */
import { CodedError } from '../../base/common/coded-error.ts';
import { keyId, PROBLEM_TYPE, toHex } from '../../protocol/index.ts';
import { VseError } from '../../vse/contract/rpc.ts';
import type { BackendFailure, BackendResult } from '../settlement/backend-client.ts';
import { configForEnrollment, readTerminalConfigIfAny, sameRootKeys, writeTerminalConfig } from './config.ts';
import { loadDatabaseKey, type DatabaseKeySource } from './database-key.ts';
import { TerminalSetupError } from './errors.ts';
import { terminalPaths, type PathOptions } from './paths.ts';
import { TerminalHost, type TerminalHostOptions } from './terminal-host.ts';

export type EnrollmentErrorCode =
  | 'BACKEND_UNREACHABLE' // no answer from the backend
  | 'BACKEND_REFUSED' // an answer that is an error, other than the ones below
  | 'TOKEN_INVALID' // unknown, used, expired, or made for another terminal id
  | 'TERMINAL_ID_TAKEN'
  | 'TERMINAL_KEY_TAKEN'
  | 'TRUST_LIST_INVALID' // the backend's trust list is not signed by the configured root key (or is older)
  | 'CERTIFICATE_MISMATCH' // the certificate is not for this terminal's key, or not from the scheme's terminal issuer
  | 'ALREADY_ENROLLED'; // enrolled under another terminal id

export class EnrollmentError extends CodedError<EnrollmentErrorCode> {
  override readonly name = 'EnrollmentError';
}

export interface EnrollmentRequest {
  token: string;
  /** Default: derived from the terminal key (`T-` and its key id). */
  terminalId?: string;
}

export interface EnrollmentResult {
  terminalId: string;
  merchantId: string;
  merchantName: string;
  terminalKey: string;
  trustListVersion: number;
  /** The terminal was enrolled before; only the trust list was refreshed. */
  alreadyEnrolled: boolean;
}

/** `T-` and the 16 hex digits of the key's kid: unique in practice, the same on every retry. */
export function defaultTerminalId(terminalKey: Uint8Array): string {
  return `T-${toHex(keyId(terminalKey)).toUpperCase()}`;
}

const RETRIES = 3;
const RETRY_PAUSE_MS = 500;

/** Calls the backend, retrying what may heal (a lost answer is safe to ask again: see above). */
async function withRetries<T>(call: () => Promise<BackendResult<T>>): Promise<BackendResult<T>> {
  let result = await call();
  for (let attempt = 1; attempt < RETRIES && !result.ok && result.error.retryable; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * attempt));
    result = await call();
  }
  return result;
}

function backendError(error: BackendFailure, url: string, what: string): EnrollmentError {
  if (error.code === 'NETWORK' || error.code === 'TIMEOUT') return new EnrollmentError('BACKEND_UNREACHABLE', `cannot reach the backend at ${url} (${what}): ${error.detail}`);
  if (error.code === 'PROBLEM') {
    const type = error.problem.type;
    if (type === PROBLEM_TYPE.enrollmentTokenInvalid) {
      return new EnrollmentError('TOKEN_INVALID', `the backend refused the enrollment token: it is unknown, already used, expired, or made for another terminal id (${error.detail})`);
    }
    if (type === PROBLEM_TYPE.terminalIdTaken) return new EnrollmentError('TERMINAL_ID_TAKEN', `another terminal is enrolled under this id: choose another --terminal-id (${error.detail})`);
    if (type === PROBLEM_TYPE.terminalKeyTaken) return new EnrollmentError('TERMINAL_KEY_TAKEN', `this terminal's key is enrolled under another id (${error.detail})`);
  }
  return new EnrollmentError('BACKEND_REFUSED', `the backend at ${url} refused ${what}: ${error.detail}`);
}

async function installTrustList(host: TerminalHost): Promise<number> {
  const list = await withRetries(() => host.backend.trustList());
  if (!list.ok) throw backendError(list.error, host.config.backendUrl, 'the trust list');
  try {
    return (await host.vse.call('installTrustList', { trustList: list.value })).version;
  } catch (error) {
    if (error instanceof VseError && (error.code === 'TRUST_LIST_INVALID' || error.code === 'TRUST_LIST_ROLLBACK')) {
      throw new EnrollmentError(
        'TRUST_LIST_INVALID',
        `the backend's trust list was refused (${error.message}): is the root key in ${host.paths.configFile} the scheme's, and ${host.config.backendUrl} the scheme's backend?`,
      );
    }
    throw error;
  }
}

export async function enrollTerminal(host: TerminalHost, request: EnrollmentRequest): Promise<EnrollmentResult> {
  const status = await host.vse.call('status', {});
  const terminalKey = toHex(status.terminalKey);
  if (status.certificate !== null) {
    const enrolled = status.certificate;
    if (request.terminalId !== undefined && request.terminalId !== enrolled.terminalId) {
      throw new EnrollmentError('ALREADY_ENROLLED', `this terminal is enrolled as ${enrolled.terminalId}; a terminal is enrolled once (use another --data folder for another terminal)`);
    }
    const trustListVersion = await installTrustList(host);
    return { terminalId: enrolled.terminalId, merchantId: enrolled.merchantId, merchantName: enrolled.merchantName, terminalKey, trustListVersion, alreadyEnrolled: true };
  }

  // The trust list first: a backend the root key does not vouch for gets no enrollment.
  const trustListVersion = await installTrustList(host);
  const terminalId = request.terminalId ?? defaultTerminalId(status.terminalKey);
  const answer = await withRetries(() => host.backend.enroll({ enrollmentToken: request.token, terminalId, terminalKey: status.terminalKey }));
  if (!answer.ok) {
    if (answer.error.code === 'MALFORMED_ANSWER') {
      throw new EnrollmentError('CERTIFICATE_MISMATCH', `the backend's answer is not a certificate for this terminal: ${answer.error.detail}`);
    }
    throw backendError(answer.error, host.config.backendUrl, 'the enrollment');
  }
  try {
    const installed = await host.vse.call('installTerminalCertificate', { certificate: answer.value.certificate });
    return { ...installed, terminalKey, trustListVersion, alreadyEnrolled: false };
  } catch (error) {
    if (error instanceof VseError && (error.code === 'CERTIFICATE_KEY_MISMATCH' || error.code === 'CERTIFICATE_INVALID')) {
      throw new EnrollmentError('CERTIFICATE_MISMATCH', `the certificate the backend issued does not fit this terminal: ${error.message}`);
    }
    throw error;
  }
}

export interface EnrollOptions extends PathOptions, Pick<TerminalHostOptions, 'launcher' | 'testMode' | 'policy'> {
  backendUrl: string;
  token: string;
  /** Root keys as lower-case hex; none: the configured ones. */
  rootKeys: readonly string[];
  terminalId?: string;
}

export interface EnrolledTerminal extends EnrollmentResult {
  dataDir: string;
  configFile: string;
  databaseKey: DatabaseKeySource;
}

/**
 * `kassa enroll` from start to end: the configuration to use (backend, root keys), the
 * database key (made on first use), the VSE started with them, enrollment, and only then
 * the configuration written — a failed enrollment leaves the config file as it was, so a
 * wrong root key can be corrected by running the command again with the right one.
 */
export async function enroll(options: EnrollOptions): Promise<EnrolledTerminal> {
  const paths = terminalPaths(options);
  const existing = readTerminalConfigIfAny(paths.configFile);
  const config = configForEnrollment(existing, options.backendUrl, options.rootKeys);
  const { key, source } = loadDatabaseKey(paths, options.env);
  const host = await TerminalHost.start({ paths, config, databaseKey: key, databaseKeySource: source, launcher: options.launcher, testMode: options.testMode, policy: options.policy });
  try {
    if (existing !== undefined && !sameRootKeys(existing.rootKeys, config.rootKeys) && host.identity.terminalId !== null) {
      throw new TerminalSetupError(
        'CONFIG_CONFLICT',
        `this terminal is enrolled in the scheme of root key ${existing.rootKeys.join(', ')}, not ${config.rootKeys.join(', ')}: use another --data folder for another scheme, or edit ${paths.configFile} if the scheme rotated its root key`,
      );
    }
    const result = await enrollTerminal(host, { token: options.token, terminalId: options.terminalId });
    writeTerminalConfig(paths.configFile, config);
    return { ...result, dataDir: paths.dataDir, configFile: paths.configFile, databaseKey: source };
  } finally {
    await host.close();
  }
}
