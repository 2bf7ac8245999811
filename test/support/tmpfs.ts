/**
 * A small tmpfs for tests of a full disk: a real filesystem whose last block really runs out
 * (ENOSPC under SQLite and Node, not an emulation). Mounting needs root (CAP_SYS_ADMIN);
 * `tmpfsSkipReason()` says why it cannot be done here, for the test to print and skip.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function mountTmpfs(dir: string, options: string): void {
  execFileSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { stdio: 'pipe' });
}

export function unmount(dir: string): void {
  execFileSync('umount', [dir], { stdio: 'pipe' });
}

/** Undefined where a tmpfs can be mounted; otherwise why not. */
export function tmpfsSkipReason(): string | undefined {
  const probe = mkdtempSync(join(tmpdir(), 'kassa-mount-probe-'));
  try {
    mountTmpfs(probe, 'size=1m');
    unmount(probe);
    return undefined;
  } catch (error) {
    return `this machine does not let the test mount a tmpfs (needs root with CAP_SYS_ADMIN): ${((error as { stderr?: Buffer }).stderr ?? '').toString().trim() || (error as Error).message}`;
  } finally {
    rmSync(probe, { recursive: true, force: true });
  }
}

/** Fills the filesystem holding `dir` to its last block with one file; returns that file. */
export function fillDisk(dir: string): string {
  const filler = join(dir, 'filler');
  const fd = openSync(filler, 'w');
  const chunk = Buffer.alloc(64 * 1024, 0xee);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
  // The last partial chunk: byte by byte into whatever is left.
  const tail = openSync(filler, 'a');
  try {
    for (;;) writeSync(tail, Buffer.alloc(1));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(tail);
  }
  return filler;
}
