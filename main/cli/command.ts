/** What every `kassa` subcommand looks like, and how they talk to the terminal. */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
// Light imports only: every command's start-up (and `kassa --help`) loads this module.
import { fromHex } from '../../base/common/bytes.ts';
import { PUBLIC_KEY_LENGTH } from '../../base/common/es256.ts';
import { MAX_PAYMENT_TEXT_LENGTH } from '../../vse/contract/limits.ts';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Standard input as text, for commands that read TEXT from `-`. Once more than `maxLength`
   * characters have arrived it stops reading and returns what it has (longer than `maxLength`),
   * so that a huge or endless input costs no more than a refusal.
   */
  readStdin(maxLength: number): Promise<string>;
}

export interface Command {
  /** The synopsis and options, shown by `kassa help NAME` and on usage errors. */
  usage: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/**
 * A command as the command line lists it. Its module is loaded only when it runs (or shows its
 * usage), so `kassa --help` and `kassa verify` do not load the VSE host, the drivers or zxing.
 */
export interface CommandEntry {
  name: string;
  /** One line for `kassa --help`. */
  summary: string;
  load(): Promise<Command>;
}

/** Exit codes shared by every command (OIP/1 §6 for verify and inspect). */
export const EXIT = { ok: 0, rejected: 1, usage: 2 } as const;

/** Wrong arguments: the command prints its usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** node:util's parseArgs, with its errors turned into `UsageError`. */
export function parseOptions<const O extends ParseArgsOptionsConfig>(args: string[], options: O) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The TEXT argument, or why it cannot be one: longer than any text the command takes. */
export type TextInput = { ok: true; text: string } | { ok: false; detail: string };

/**
 * The TEXT argument: given inline, or read from standard input when it is `-`. A text longer
 * than `maxLength` (by default the longest the VSE accepts) is refused here, before anything
 * is opened or started; standard input is not read past that point.
 */
export async function textArgument(positionals: string[], io: CliIo, maxLength = MAX_PAYMENT_TEXT_LENGTH): Promise<TextInput> {
  if (positionals.length !== 1) throw new UsageError(`expected exactly one TEXT argument, got ${positionals.length}`);
  const given = positionals[0]!;
  const text = given === '-' ? await io.readStdin(maxLength) : given;
  if (text.length > maxLength) {
    const where = given === '-' ? 'standard input holds' : 'the text has';
    return { ok: false, detail: `${where} more than ${maxLength} characters, more than any text this command takes` };
  }
  return { ok: true, text };
}

/** Unix seconds from the option's text, or a usage error. */
export function unixSeconds(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--${name} must be Unix seconds (a non-negative integer), got ${JSON.stringify(value)}`);
  return Number(value);
}

/** A whole number (at least `min`) from the option's text, or a usage error. */
export function wholeNumber(name: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const number = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(number) || number < min) throw new UsageError(`--${name} must be a whole number of at least ${min}, got ${JSON.stringify(value)}`);
  return number;
}

/** JSON with byte strings as lower-case hex (OIP/1 §6). */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v), indent);
}

/** `--root-key HEX` values (repeatable) as keys, or a usage error naming the bad one. */
export function rootKeysOption(hexes: readonly string[] | undefined): Uint8Array[] {
  return (hexes ?? []).map((hex) => {
    const key = fromHex(hex.toLowerCase());
    if (key?.length !== PUBLIC_KEY_LENGTH || (key[0] !== 0x02 && key[0] !== 0x03)) {
      throw new UsageError(`--root-key must be a compressed P-256 public key (${PUBLIC_KEY_LENGTH} bytes of hex, starting 02 or 03), got ${JSON.stringify(hex)}`);
    }
    return key;
  });
}
