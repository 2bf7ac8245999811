/**
 * A lock file that one process at a time holds: the terminal's data folder, the wallet
 * simulator's state file. The file holds its holder's pid; a lock whose process is gone (a
 * crash, SIGKILL, a power cut) is taken over.
 *
 * Taking it is one atomic step: the pid is written to a temporary file first, which is then
 * hard-linked into place; link(2) fails with EEXIST if the lock exists, so a lock file is
 * never seen empty or half-written and two processes can never both create it.
 *
 * Taking over a stale lock is the delicate part (ABA): A and B both read pid P, both see P
 * dead; A removes the lock and takes it; B must not then remove A's. So only the holder of a
 * second lock, `PATH.break` (taken the same way, recursively), may remove a stale lock, and it
 * removes it only after reading it again while holding that lock. While it does, nobody else
 * can change the file: a live holder never loses its lock, a dead one never releases it, and
 * link(2) cannot replace an existing file. A breaker that dies leaves a stale `.break`, which
 * the next one takes over the same way (one level deeper).
 *
 * Limits: the holder is recognised by pid on this machine, so a lock on a folder shared over
 * the network, or a pid reused since a crash, reads as held (the message names the file to
 * remove).
 */
import { linkSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { CodedError } from '../common/coded-error.ts';
import { temporaryPath, writeNewFile } from './atomic-file.ts';

export type LockFileErrorCode =
  | 'HELD' // a live process holds it (or is taking it over right now)
  | 'NO_SPACE' // the disk is full: not even the few bytes of a pid fit
  | 'UNUSABLE'; // the folder cannot be written (permissions, read-only, no hard links)

export class LockFileError extends CodedError<LockFileErrorCode> {
  override readonly name = 'LockFileError';
  /** The pid in the lock, when it names one. */
  readonly holder: number | undefined;

  constructor(code: LockFileErrorCode, message: string, options?: { cause?: unknown; holder?: number }) {
    super(code, message, options);
    this.holder = options?.holder;
  }
}

export interface FileLock {
  readonly path: string;
  /** Removes the lock if it is still this holder's; safe to call more than once. */
  release(): void;
}

/** How deep breakers of breakers may go: each level needs a process killed inside a break. */
const MAX_BREAK_DEPTH = 4;
/** Rounds of "the lock vanished or was stale, try again" before giving up as contended. */
const MAX_ATTEMPTS = 100;

function errnoOf(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}

function alive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoOf(error) === 'EPERM';
  }
}

type Holder = { state: 'none' } | { state: 'alive'; pid: number } | { state: 'stale'; pid: number | undefined };

/** Who holds `path` now. A file that names no pid cannot belong to a live holder: stale. */
function holderOf(path: string): Holder {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return { state: 'none' };
    throw new LockFileError('UNUSABLE', `cannot read the lock ${path}: ${(error as Error).message}`, { cause: error });
  }
  const pid = /^\d{1,10}\n?$/.test(text) ? Number(text.trim()) : undefined;
  if (pid === undefined || pid <= 0) return { state: 'stale', pid: undefined };
  return alive(pid) ? { state: 'alive', pid } : { state: 'stale', pid };
}

function failure(error: unknown, what: string): LockFileError {
  if (error instanceof LockFileError) return error;
  const code = errnoOf(error) === 'ENOSPC' || errnoOf(error) === 'EDQUOT' ? 'NO_SPACE' : 'UNUSABLE';
  return new LockFileError(code, `cannot ${what}: ${(error as Error).message}`, { cause: error });
}

/** Removes `path` if it still is this process's file (same inode, own pid). */
function removeIfOurs(path: string, inode: number): void {
  try {
    if (statSync(path).ino === inode && readFileSync(path, 'utf8') === `${process.pid}\n`) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

/** Links `pidFile` into place at `path`; returns once it is there, or throws HELD. */
function take(path: string, pidFile: string, inode: number, depth: number): void {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      linkSync(pidFile, path);
      return;
    } catch (error) {
      if (errnoOf(error) !== 'EEXIST') throw failure(error, `create the lock ${path}`);
    }
    const holder = holderOf(path);
    if (holder.state === 'alive') throw new LockFileError('HELD', `${path} is held by process ${holder.pid}`, { holder: holder.pid });
    if (holder.state === 'stale') breakStale(path, pidFile, inode, depth);
    // Gone (released, or broken just now): try again.
  }
  throw new LockFileError('HELD', `${path} kept changing hands while this process tried to take it`);
}

/** Removes `path` if it is still stale, holding `path.break` while deciding. */
function breakStale(path: string, pidFile: string, inode: number, depth: number): void {
  const breaker = `${path}.break`;
  if (depth >= MAX_BREAK_DEPTH) {
    throw new LockFileError('HELD', `${path} was left by a process that is gone, and so were ${depth} attempts to take it over: remove ${path}*`);
  }
  take(breaker, pidFile, inode, depth + 1);
  try {
    // Read again under the break lock: only a stale file is removed, whoever judged it before.
    if (holderOf(path).state === 'stale') rmSync(path, { force: true });
  } finally {
    removeIfOurs(breaker, inode);
  }
}

/**
 * Takes the lock at `path`, or throws a LockFileError: HELD (with the holder's pid),
 * NO_SPACE or UNUSABLE. Nothing is left behind on failure. The lock is also released when
 * the process exits without releasing it.
 */
export function lockFile(path: string): FileLock {
  const pidFile = temporaryPath(path);
  try {
    writeNewFile(pidFile, `${process.pid}\n`, { durable: false });
  } catch (error) {
    throw failure(error, `write the lock ${path}`);
  }
  let inode: number;
  try {
    inode = statSync(pidFile).ino;
    take(path, pidFile, inode, 0);
  } catch (error) {
    throw failure(error, `take the lock ${path}`);
  } finally {
    rmSync(pidFile, { force: true });
  }
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    removeIfOurs(path, inode);
  };
  // A process that ends without releasing (an uncaught error) still frees the lock.
  process.on('exit', release);
  return { path, release };
}
