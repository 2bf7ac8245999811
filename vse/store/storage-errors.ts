/**
 * SQLite failures as the typed errors the host can act on. A failed write has been rolled
 * back by then: nothing half-stored, nothing already stored lost.
 */
import { accessSync, constants } from 'node:fs';
import { VseError } from '../contract/rpc.ts';

function sqliteCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** Whether this process may write in `dir` (false on a read-only mount, even for root). */
export function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The typed error for a SQLite failure, or undefined when `error` is not one. */
export function storageError(error: unknown, dataDir: string): VseError | undefined {
  const code = sqliteCode(error);
  if (code === undefined) return undefined;
  const message = `${code}: ${(error as Error).message}`;
  if (code === 'SQLITE_FULL') return new VseError('STORAGE_FULL', `the disk is full; nothing was stored (${message})`, { cause: error });
  // A filesystem remounted read-only under SQLite surfaces as an I/O error on write, not as
  // SQLITE_READONLY: ask the folder itself.
  if (code.startsWith('SQLITE_READONLY') || !writable(dataDir)) {
    return new VseError('STORAGE_READ_ONLY', `the data folder is read-only; nothing was stored (${message})`, { cause: error });
  }
  return new VseError('STORAGE_FAILED', `storage failed; nothing was stored (${message})`, { cause: error });
}
