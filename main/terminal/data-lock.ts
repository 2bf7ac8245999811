/**
 * One host process per data folder. Two hosts on one folder would start two VSEs on one
 * database: SQLite would keep the file intact, but settlement is a single ordered stream
 * (one open batch) and the cashier's "paid" must come from the one VSE that decided it.
 * The lock is base/node's lock file (taken atomically, a stale one taken over atomically);
 * here its failures become the host's setup errors.
 */
import { statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { lockFile, LockFileError, type FileLock } from '../../base/node/lock-file.ts';
import { TerminalSetupError } from './errors.ts';

export type DataFolderLock = FileLock;

/**
 * Free space a command that stores anything needs in the data folder: the VSE's shared-memory
 * index (32 KiB) and WAL frames for a few commits, the lock and the status file, with room
 * to spare.
 */
export const MIN_FREE_BYTES = 1024 * 1024;

/** Bytes an unprivileged process may still write in `folder`; undefined where that cannot be told. */
export function freeBytes(folder: string): number | undefined {
  try {
    const stats = statfsSync(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Math.floor((bytes / (1024 * 1024)) * 10) / 10} MiB`;
  if (bytes >= 1024) return `${Math.floor(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** The DISK_FULL error for `folder`, saying how much is free and how much is needed. */
export function diskFullError(folder: string, options?: { cause?: unknown }): TerminalSetupError {
  const free = freeBytes(folder);
  return new TerminalSetupError(
    'DISK_FULL',
    `the disk holding ${folder} is full (${free === undefined ? 'free space unknown' : `${sizeText(free)} free`}): kassa needs at least ${sizeText(MIN_FREE_BYTES)} free there to store payments; free some space and try again (kassa status still works)`,
    options,
  );
}

export function lockDataFolder(path: string): DataFolderLock {
  try {
    return lockFile(path);
  } catch (error) {
    if (!(error instanceof LockFileError)) throw error;
    if (error.code === 'NO_SPACE') throw diskFullError(dirname(path), { cause: error });
    if (error.code === 'UNUSABLE') throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', error.message, { cause: error });
    throw new TerminalSetupError(
      'DATA_FOLDER_IN_USE',
      `another kassa process${error.holder === undefined ? '' : ` (pid ${error.holder})`} is using this terminal's data folder; wait for it to finish (if none runs, remove ${path})`,
      { cause: error },
    );
  }
}
