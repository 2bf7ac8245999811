/**
 * One host process per data folder. Two hosts on one folder would start two VSEs on one
 * database: SQLite would keep the file intact, but settlement is a single ordered stream
 * (one open batch) and the cashier's "paid" must come from the one VSE that decided it.
 * The lock is a file created exclusively with the holder's pid; a lock whose process is
 * gone (a crash, a power cut) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { TerminalSetupError } from './errors.ts';

export interface DataFolderLock {
  readonly path: string;
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holder(path: string): number | undefined {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function lockDataFolder(path: string): DataFolderLock {
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new TerminalSetupError('DATA_FOLDER_UNUSABLE', `cannot create ${path}: ${(error as Error).message}`, { cause: error });
      }
      const pid = holder(path);
      if (attempt === 0 && (pid === undefined || (pid !== process.pid && !alive(pid)))) {
        rmSync(path, { force: true }); // left by a process that is gone
        continue;
      }
      throw new TerminalSetupError(
        'DATA_FOLDER_IN_USE',
        `another kassa process${pid === undefined ? '' : ` (pid ${pid})`} is using this terminal's data folder; wait for it to finish (if none runs, remove ${path})`,
      );
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    const release = () => {
      process.off('exit', release);
      if (holder(path) === process.pid) rmSync(path, { force: true });
    };
    // A host that ends without closing (an uncaught error) still frees the folder.
    process.on('exit', release);
    return { path, release };
  }
}
