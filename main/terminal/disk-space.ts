/**
 * Room in the data folder. A command that stores anything checks it first, so a full disk is
 * one clear DISK_FULL error naming the folder and the space needed, before anything is
 * written, instead of an ENOSPC from whichever write came first.
 */
import { statfsSync } from 'node:fs';
import { TerminalSetupError } from './errors.ts';

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
    `the disk holding ${folder} is full (${free === undefined ? 'free space unknown' : `${sizeText(free)} free`}): kassa needs at least ${sizeText(MIN_FREE_BYTES)} free there to store payments; free some space and try again`,
    options,
  );
}
