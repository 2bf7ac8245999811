/**
 * One host process per data folder. Two hosts on one folder would start two VSEs on one
 * database: SQLite would keep the file intact, but settlement is a single ordered stream
 * (one open batch) and the cashier's "paid" must come from the one VSE that decided it.
 * The lock is base/node's lock file (taken atomically, a stale one taken over atomically);
 * here its failures become the host's setup errors.
 */
import { dirname } from 'node:path';
import { lockFile, LockFileError, type FileLock } from '../../base/node/lock-file.ts';
import { diskFullError } from './disk-space.ts';
import { TerminalSetupError } from './errors.ts';

export type DataFolderLock = FileLock;

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
