/**
 * `--qr` and `--png FILE` of `kassa request`, `kassa accept` and `kassa wallet pay`: the one
 * encoder (protocol/qr) at level M in its smallest version, drawn in the terminal or written
 * as a PNG, both with the standard 4-module quiet zone.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError, type CliIo } from './command.ts';

// Loaded when a QR code is asked for: every other `kassa` run is spared the encoder's start-up.
const encoder = () => import('../../protocol/qr/index.ts');

export const QR_OPTIONS = { qr: { type: 'boolean' }, png: { type: 'string' } } as const;

/** The QR code of `text` as lines of half blocks, light modules drawn (for a dark terminal). */
export async function qrForTerminal(text: string): Promise<string> {
  const { encodeQr, qrTerminalText } = await encoder();
  return qrTerminalText(encodeQr(text));
}

/**
 * The `--png` path, checked before the command acts: a request signed, a payment accepted or
 * a wallet's counter advanced should not end in a file that cannot be written.
 */
export function pngPathOption(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new UsageError('--png needs a file name');
  const path = resolve(value);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(path);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new UsageError(`--png ${JSON.stringify(value)} is a folder; give a file name`);
  try {
    accessSync(existing ? path : dirname(path), constants.W_OK);
  } catch {
    throw new UsageError(`--png ${JSON.stringify(value)} cannot be written (${existing ? 'the file' : 'its folder'} is missing or not writable)`);
  }
  return path;
}

/**
 * Writes the QR code of `text` to `path`. The command's real work is done by then, so a
 * failure is said on standard error and does not change the command's outcome.
 */
export async function writeQrPngFile(io: CliIo, command: string, path: string, text: string): Promise<void> {
  const [{ encodeQr, QR_QUIET_ZONE }, { writeQrPng }] = await Promise.all([encoder(), import('../../base/node/qr-png.ts')]);
  const qr = encodeQr(text);
  try {
    writeQrPng(path, qr, { quietZone: QR_QUIET_ZONE });
  } catch (error) {
    io.stderr(`kassa ${command}: the QR code could not be written to ${path}: ${(error as Error).message}\n`);
    return;
  }
  io.stderr(`kassa ${command}: QR code (version ${qr.version}-${qr.errorCorrection}) written to ${path}\n`);
}
