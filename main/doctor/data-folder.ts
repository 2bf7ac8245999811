/**
 * The data folder and its files: present, this user's, and closed to everyone else (folders
 * 0700, files 0600) — the database is encrypted, but the key file sits beside it by default.
 */
import { lstatSync, readdirSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { TerminalPaths } from '../terminal/paths.ts';
import { fail, ok, type CheckResult } from './check.ts';

const mode = (stats: Stats) => (stats.mode & 0o777).toString(8).padStart(4, '0');

export function dataFolderCheck(paths: TerminalPaths, uid = process.getuid?.()): CheckResult {
  let folder: Stats;
  try {
    folder = lstatSync(paths.dataDir);
  } catch {
    return fail('data-folder', `the data folder ${paths.dataDir} does not exist`, `enroll the terminal (kassa enroll --data ${paths.dataDir} …), or pass --data with the right folder`);
  }
  if (!folder.isDirectory()) return fail('data-folder', `${paths.dataDir} is not a folder`, 'pass --data with the terminal\'s data folder');
  const problems: string[] = [];
  const fixes: string[] = [];
  const look = (path: string, stats: Stats, wanted: 0o700 | 0o600) => {
    if (uid !== undefined && uid !== 0 && stats.uid !== uid) {
      problems.push(`${path} belongs to user id ${stats.uid}, not to this user (${uid})`);
      fixes.push(`sudo chown -R $(id -u):$(id -g) ${paths.dataDir}`);
    }
    if ((stats.mode & 0o077) !== 0) {
      problems.push(`${path} is mode ${mode(stats)}, others may ${stats.isDirectory() ? 'look in' : 'read'} it`);
      fixes.push(`chmod ${wanted.toString(8)} ${path}`);
    }
  };
  look(paths.dataDir, folder, 0o700);
  const files = [paths.configFile, paths.keyFile, join(paths.vseDir, 'vse.sqlite')];
  try {
    look(paths.vseDir, lstatSync(paths.vseDir), 0o700);
    for (const name of readdirSync(paths.vseDir)) if (name.startsWith('vse.sqlite')) files.push(join(paths.vseDir, name));
  } catch {
    // No VSE folder yet: the database check says what that means.
  }
  for (const path of new Set(files)) {
    try {
      const stats = lstatSync(path);
      if (stats.isFile()) look(path, stats, 0o600);
    } catch {
      // Missing files are other checks' business (config, key, database).
    }
  }
  if (problems.length > 0) return fail('data-folder', problems.join('; '), [...new Set(fixes)].join(' && '), { dataDir: paths.dataDir });
  return ok('data-folder', `${paths.dataDir}: owner-only (0700, files 0600)`, { dataDir: paths.dataDir });
}
