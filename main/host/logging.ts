/**
 * The host's log: pino, one JSON object a line, in rotated files in the data folder
 * (`logs/kassa.N.log`, a new file each day or at 10 MB, the last 14 kept) through pino-roll.
 *
 * What is never logged: keys (terminal key, database key), the manager PIN, register tokens,
 * and whole payment texts (`KR1:`/`KP1:`/`KA1:`) — they are bearer instruments and personal
 * data. Callers log ids, amounts and reason codes; the redaction paths below catch the field
 * names that would carry the rest if someone logged a whole object by mistake, and
 * `scrubPaymentTexts` removes a payment text from any message string.
 */
import { join } from 'node:path';
import pino, { type Logger } from 'pino';
// pino-roll ships no types; its default export builds a SonicBoom stream.
import build from 'pino-roll';

export const LOG_FOLDER = 'logs';

/** Field names whose values never reach a log line, wherever they appear in a logged object. */
export const REDACTED_PATHS = [
  'text',
  'receipt',
  'token',
  'pin',
  'currentPin',
  'key',
  'databaseKey',
  'privateKey',
  'authorization',
  '*.text',
  '*.receipt',
  '*.token',
  '*.pin',
  '*.key',
  '*.databaseKey',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
];

const PAYMENT_TEXT = /\b(K[RPA]1:)[0-9A-Z $%*+\-./:]+/g;

/** A message with every payment text cut to its prefix. */
export function scrubPaymentTexts(message: string): string {
  return message.replace(PAYMENT_TEXT, '$1[redacted]');
}

export interface HostLog {
  logger: Logger;
  /** Flushes and closes the file (before the process ends). */
  close(): Promise<void>;
}

export async function openHostLog(dataDir: string, options: { level?: pino.Level } = {}): Promise<HostLog> {
  const stream = await build({ file: join(dataDir, LOG_FOLDER, 'kassa'), extension: '.log', frequency: 'daily', size: '10m', limit: { count: 14 }, mkdir: true });
  const logger = pino(
    {
      level: options.level ?? 'info',
      base: { pid: process.pid },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      hooks: {
        // Messages are strings the code wrote: a payment text in one (an error detail quoting input) is cut.
        logMethod(args, method) {
          method.apply(this, args.map((arg) => (typeof arg === 'string' ? scrubPaymentTexts(arg) : arg)) as Parameters<typeof method>);
        },
      },
    },
    stream,
  );
  let closing: Promise<void> | undefined;
  return {
    logger,
    close: () =>
      (closing ??= new Promise((resolve) => {
        logger.flush(() => {
          stream.once('close', () => resolve());
          stream.once('error', () => resolve());
          stream.end();
        });
      })),
  };
}
