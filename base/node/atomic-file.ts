/**
 * Durable file replacement for every Node process's own small files (the terminal's config,
 * status and key, the wallet simulator's state): a crash leaves the old file or the new one,
 * never a torn one, and a failed write (a full disk) leaves nothing behind.
 */
import { closeSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';

/** Flushes a folder's entries (a rename or a new file) to disk. */
export function fsyncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A name beside `path` that no other process or call picks: `.NAME.PID.RANDOM.tmp`. */
export function temporaryPath(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

export interface NewFileOptions {
  /** Default 0600: these files are the terminal's own. */
  mode?: number;
  /** fsync the content (default true); a lock file, which never outlives a boot, skips it. */
  durable?: boolean;
}

/**
 * Writes `content` to a new file at `path` (which must not exist); on any failure (ENOSPC
 * halfway) the file is removed before the error is thrown.
 */
export function writeNewFile(path: string, content: string | Uint8Array, { mode = 0o600, durable = true }: NewFileOptions = {}): void {
  const fd = openSync(path, 'wx', mode);
  try {
    try {
      writeFileSync(fd, content);
      if (durable) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    rmSync(path, { force: true });
    throw error;
  }
}

/**
 * Creates `path` with `content`, or fails with EEXIST if it exists: written beside it and
 * hard-linked into place, so another process sees no file or the whole file, never part of
 * one. Nothing is left behind on failure.
 */
export function createFileAtomic(path: string, content: string | Uint8Array, mode = 0o600): void {
  const temporary = temporaryPath(path);
  writeNewFile(temporary, content, { mode });
  try {
    linkSync(temporary, path);
  } finally {
    rmSync(temporary, { force: true });
  }
  fsyncFolder(dirname(path));
}

/**
 * Replaces `path` with `content`: a temporary file in the same folder, flushed, renamed over,
 * the folder flushed. Errors are Node's own (ENOSPC, EACCES, ...) for the caller to word.
 */
export function writeFileAtomic(path: string, content: string | Uint8Array, mode = 0o600): void {
  const temporary = temporaryPath(path);
  writeNewFile(temporary, content, { mode });
  try {
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  fsyncFolder(dirname(path));
}
