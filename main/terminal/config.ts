/**
 * The terminal's configuration file (`config.json` in the data folder), JSON checked against
 * a zod schema. It names the backend, the scheme root keys the VSE checks trust lists with,
 * the offline risk policy's overrides and the settlement timings:
 *
 *   {
 *     "format": "kassa-terminal/1",
 *     "backendUrl": "http://127.0.0.1:8750",
 *     "rootKeys": ["03…66 hex characters"],
 *     "policy": { "defaultLimits": { "maxPaymentAmount": 50000, … } },
 *     "settlement": { "batchSize": 500, "idleProbeSeconds": 60 },
 *     "retention": { "settledPaymentDays": 90, "paymentRequestDays": 7 },
 *     "host": { "till": "Till 1", "language": "sv", "devices": [ … ], … }
 *   }
 *
 * A fresh terminal run by `kassa serve` may have a file with only its `host` section until
 * an operator enrolls it (backendUrl and rootKeys come with enrollment).
 *
 * Root keys come from configuration only — `kassa enroll --root-key HEX` writes them — and are
 * never taken silently from the backend: a trust list is only as good as the key it is checked with.
 */
import { readFileSync } from 'node:fs';
import * as z from 'zod';
import { fromHex } from '../../protocol/index.ts';
import { riskPolicyOverrides } from '../../vse/contract/rpc.ts';
import { hostSection } from '../host/host-settings.ts';
import { TerminalSetupError } from './errors.ts';
import { writeFileAtomic } from '../../base/node/atomic-file.ts';

export const TERMINAL_CONFIG_FORMAT = 'kassa-terminal/1';

/** A scheme root key: a compressed P-256 point, 33 bytes as lower-case hex. */
export const rootKeyHex = z.string().regex(/^0[23][0-9a-f]{64}$/, 'must be a compressed P-256 public key: 66 lower-case hex characters starting 02 or 03');

/** Settlement timings; each has a default in the SettlementService. */
export const settlementSettings = z.strictObject({
  /** IOUs per settlement batch (the VSE hands out at most 1,000). */
  batchSize: z.int().min(1).max(1000).optional(),
  /** How often an idle, online terminal checks the backend is still there (and refreshes the trust list). */
  idleProbeSeconds: z.int().min(1).max(86_400).optional(),
  /** How often the trust list is fetched while settling. */
  trustListRefreshSeconds: z.int().min(1).max(86_400).optional(),
  /** First retry delay after a failure; doubles per failure, with jitter. */
  initialBackoffMs: z.int().min(1).max(600_000).optional(),
  /** Longest retry delay. */
  maxBackoffSeconds: z.int().min(1).max(86_400).optional(),
  /** Per HTTP call, until the answer's last byte. */
  requestTimeoutSeconds: z.int().min(1).max(600).optional(),
});
export type SettlementSettings = z.output<typeof settlementSettings>;

/**
 * Retention (main/terminal/retention-service.ts): how long settled payments and payment
 * requests stay in the store. The VSE keeps at least a day whatever is asked, and a settled
 * payment until its reservation has ended; an unsettled one is never purged.
 */
export const retentionSettings = z.strictObject({
  /** Days a settled payment stays after settlement (default 90). */
  settledPaymentDays: z.int().min(1).max(36_500).optional(),
  /** Days a payment request stays after it expired, was paid or cancelled (default 7). */
  paymentRequestDays: z.int().min(1).max(36_500).optional(),
  /** How often a running host purges (default every 6 hours; it also purges at start). */
  intervalHours: z.int().min(1).max(24 * 7).optional(),
});
export type RetentionSettings = z.output<typeof retentionSettings>;

const backendUrl = z.url({ protocol: /^https?$/, error: 'must be an http or https URL' });
const rootKeys = z.array(rootKeyHex).min(1, 'at least one root key is needed to check trust lists');

/** The file as written: a fresh host's file may hold only its `host` section. */
export const configFile = z.strictObject({
  format: z.literal(TERMINAL_CONFIG_FORMAT),
  backendUrl: backendUrl.optional(),
  rootKeys: rootKeys.optional(),
  policy: riskPolicyOverrides.optional(),
  settlement: settlementSettings.optional(),
  retention: retentionSettings.optional(),
  host: hostSection.optional(),
});
export type ConfigFile = z.output<typeof configFile>;

/** A terminal that can start its VSE: it knows its backend and the scheme's root keys. */
export const terminalConfig = configFile.required({ backendUrl: true, rootKeys: true });
export type TerminalConfig = z.output<typeof terminalConfig>;

const notConfigured = (path: string) =>
  new TerminalSetupError('NOT_CONFIGURED', `this terminal is not set up yet (no backend and root key in ${path}): run kassa enroll --backend URL --token T --root-key HEX`);

/** Parses config text; every problem is a CONFIG_INVALID error naming the file and the field. */
export function parseConfigFile(text: string, path: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new TerminalSetupError('CONFIG_INVALID', `${path} is not JSON: ${(error as Error).message}`, { cause: error });
  }
  const parsed = configFile.safeParse(json);
  if (!parsed.success) throw new TerminalSetupError('CONFIG_INVALID', `${path} is not a valid terminal configuration:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** The parsed file when it names a backend and root keys; NOT_CONFIGURED otherwise. */
export function parseTerminalConfig(text: string, path: string): TerminalConfig {
  const file = parseConfigFile(text, path);
  if (file.backendUrl === undefined || file.rootKeys === undefined) throw notConfigured(path);
  return file as TerminalConfig;
}

/** The config file as it is, or undefined when there is none yet. */
export function readConfigFile(path: string): ConfigFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TerminalSetupError('CONFIG_INVALID', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseConfigFile(text, path);
}

/** The configuration, or NOT_CONFIGURED when there is no file yet or it names no backend. */
export function readTerminalConfig(path: string): TerminalConfig {
  const file = readConfigFile(path);
  if (file?.backendUrl === undefined || file.rootKeys === undefined) throw notConfigured(path);
  return file as TerminalConfig;
}

/** The configuration if there is one, undefined if not (other problems still throw). */
export function readTerminalConfigIfAny(path: string): TerminalConfig | undefined {
  try {
    return readTerminalConfig(path);
  } catch (error) {
    if (error instanceof TerminalSetupError && error.code === 'NOT_CONFIGURED') return undefined;
    throw error;
  }
}

export function writeTerminalConfig(path: string, config: ConfigFile): void {
  writeFileAtomic(path, `${JSON.stringify(configFile.parse(config), null, 2)}\n`);
}

export function rootKeyBytes(config: TerminalConfig): Uint8Array[] {
  return config.rootKeys.map((hex) => fromHex(hex)!);
}

/** Whether two lists name the same root keys (order aside). */
export function sameRootKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.every((k) => b.includes(k)) && b.every((k) => a.includes(k));
}

/**
 * The configuration to enroll with: the backend given, the root keys given (none: the
 * configured ones), the rest as configured. Whether other root keys may replace the
 * configured ones depends on the VSE (not before it is enrolled), so the caller checks that.
 */
export function configForEnrollment(existing: TerminalConfig | undefined, backendUrl: string, rootKeys: readonly string[]): TerminalConfig {
  const keys = rootKeys.length > 0 ? [...new Set(rootKeys)] : existing?.rootKeys;
  if (keys === undefined) {
    throw new TerminalSetupError('NOT_CONFIGURED', 'no scheme root key: pass --root-key HEX (the backend prints it when it starts; kassa backend root-key --db FILE shows it)');
  }
  const candidate = { ...existing, format: TERMINAL_CONFIG_FORMAT, backendUrl, rootKeys: keys };
  const parsed = terminalConfig.safeParse(candidate);
  if (!parsed.success) throw new TerminalSetupError('CONFIG_INVALID', `the terminal configuration would be invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
