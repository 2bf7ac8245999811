/**
 * Backups of a terminal's data folder, taken while the terminal runs, and restoring one into a
 * fresh folder.
 *
 * A backup is a new folder:
 *
 *   manifest.json   format, when, which terminal, what the database held, each file's SHA-256
 *   vse.sqlite      the VSE's database: one consistent snapshot, still encrypted with the
 *                   database key (the VSE writes it, vse/store/maintenance.ts)
 *   config.json     the terminal's configuration (backend, root keys, host settings)
 *   database.key    only with `withKey`: the database key in the same folder as the database
 *                   it opens makes the encryption worthless, so by default it stays out and the
 *                   operator keeps it (or KASSA_DB_KEY) apart
 *
 * The database is copied by a read-only VSE beside the running one (TerminalAccess `beside`):
 * no lock, no pause, payments go on being accepted while it reads. Restoring takes the target
 * folder's lock (a running terminal refuses it), checks every file against the manifest, opens
 * the copy with the key in a VSE before it is put in place, and never replaces a database.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';
import { createFileAtomic, fsyncFolder } from '../../base/node/atomic-file.ts';
import type { VseResult } from '../../vse/contract/rpc.ts';
import { readTerminalConfig } from './config.ts';
import { lockDataFolder } from './data-lock.ts';
import { loadDatabaseKey, VSE_DATABASE_FILE } from './database-key.ts';
import { TerminalSetupError } from './errors.ts';
import { terminalPaths, ENV, type PathOptions, type TerminalPaths } from './paths.ts';
import { TerminalHost, type TerminalHostOptions } from './terminal-host.ts';

export const BACKUP_FORMAT = 'kassa-backup/1';
export const BACKUP_FILES = { manifest: 'manifest.json', database: 'vse.sqlite', config: 'config.json', key: 'database.key' } as const;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
export const backupManifest = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  createdAt: z.int().min(0),
  terminalId: z.string().nullable(),
  terminalKey: z.string().regex(/^[0-9a-f]{66}$/),
  testMode: z.boolean(),
  schemaVersion: z.int().min(0),
  payments: z.int().min(0),
  auditHead: z.strictObject({ seq: z.int().min(0), at: z.int(), hash: sha256Hex }).nullable(),
  /** File name → SHA-256 (hex) of every other file in the backup. */
  files: z.partialRecord(z.enum([BACKUP_FILES.database, BACKUP_FILES.config, BACKUP_FILES.key]), sha256Hex),
});
export type BackupManifest = z.output<typeof backupManifest>;

const fileSha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function copyOwnerOnly(from: string, to: string): void {
  copyFileSync(from, to);
  chmodSync(to, 0o600);
}

/** Moves a file, across file systems too (the backup destination is often another disk). */
function moveFile(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyOwnerOnly(from, to);
    rmSync(from, { force: true });
  }
}

/** DEST must not exist, or be an empty folder: a backup never mixes with other files. */
function prepareDestination(dest: string): void {
  if (existsSync(dest)) {
    if (readdirSync(dest).length > 0) throw new TerminalSetupError('BACKUP_FAILED', `${dest} exists and is not empty: a backup goes into a new or empty folder`);
  } else {
    mkdirSync(dest, { recursive: true, mode: 0o700 });
  }
  chmodSync(dest, 0o700);
}

export interface BackupResult {
  dest: string;
  manifest: BackupManifest;
  /** Whether the database key is in the backup. */
  withKey: boolean;
}

export interface BackupOptions extends PathOptions {
  dest: string;
  withKey?: boolean;
  /** How to start the VSE (tests); the default launcher otherwise. */
  host?: Partial<TerminalHostOptions>;
}

/** Backs up a terminal's data folder into `dest` while the terminal may be running. */
export async function backupTerminal(options: BackupOptions): Promise<BackupResult> {
  const paths = terminalPaths(options);
  const config = readTerminalConfig(paths.configFile);
  const { key, source } = loadDatabaseKey(paths, options.env);
  if (options.withKey === true && source.kind !== 'file') {
    throw new TerminalSetupError('BACKUP_FAILED', `the database key comes from ${source.kind === 'environment' ? `$${source.variable}` : 'the keyring'}, not a key file: keep it apart, --with-key copies only a key file`);
  }
  prepareDestination(options.dest);
  const host = await TerminalHost.start({ ...options.host, paths, config, databaseKey: key, databaseKeySource: source, access: 'beside' });
  let copy: VseResult<'backupDatabase'>;
  try {
    copy = await host.vse.call('backupDatabase', { name: `backup-${Date.now()}-${randomBytes(4).toString('hex')}.sqlite` }, { timeoutMs: 600_000 });
  } finally {
    await host.close();
  }
  const files: BackupManifest['files'] = {};
  const put = (name: keyof typeof files, from: string, move = false) => {
    const to = join(options.dest, name);
    if (move) moveFile(from, to);
    else copyOwnerOnly(from, to);
    files[name] = fileSha256(to);
  };
  try {
    put(BACKUP_FILES.database, join(paths.vseDir, copy.file), true);
    put(BACKUP_FILES.config, paths.configFile);
    if (options.withKey === true && source.kind === 'file') put(BACKUP_FILES.key, source.path);
  } finally {
    rmSync(join(paths.vseDir, copy.file), { force: true });
  }
  const manifest: BackupManifest = {
    format: BACKUP_FORMAT,
    createdAt: Math.floor(Date.now() / 1000),
    terminalId: copy.terminalId,
    terminalKey: Buffer.from(copy.terminalKey).toString('hex'),
    testMode: copy.testMode,
    schemaVersion: copy.schemaVersion,
    payments: copy.payments,
    auditHead: copy.auditHead,
    files,
  };
  // The manifest last: a backup without one is visibly unfinished.
  createFileAtomic(join(options.dest, BACKUP_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  fsyncFolder(options.dest);
  return { dest: options.dest, manifest, withKey: files[BACKUP_FILES.key] !== undefined };
}

/** Reads and checks a backup folder: its manifest, and every file against its hash. */
export function readBackup(src: string): BackupManifest {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(join(src, BACKUP_FILES.manifest), 'utf8'));
  } catch (error) {
    throw new TerminalSetupError('BACKUP_INVALID', `${src} is not a Kassa backup: ${BACKUP_FILES.manifest} is missing or not JSON (${(error as Error).message})`, { cause: error });
  }
  const parsed = backupManifest.safeParse(json);
  if (!parsed.success) throw new TerminalSetupError('BACKUP_INVALID', `${src}/${BACKUP_FILES.manifest} is not a ${BACKUP_FORMAT} manifest:\n${z.prettifyError(parsed.error)}`);
  const manifest = parsed.data;
  if (manifest.files[BACKUP_FILES.database] === undefined) throw new TerminalSetupError('BACKUP_INVALID', `${src} holds no database`);
  for (const [name, hash] of Object.entries(manifest.files)) {
    const path = join(src, name);
    if (!existsSync(path)) throw new TerminalSetupError('BACKUP_INVALID', `${path} is missing from the backup`);
    if (fileSha256(path) !== hash) throw new TerminalSetupError('BACKUP_INVALID', `${path} has changed since the backup was taken (SHA-256 differs from the manifest)`);
  }
  return manifest;
}

export interface RestoreOptions extends PathOptions {
  src: string;
  host?: Partial<TerminalHostOptions>;
}

export interface RestoreResult {
  paths: TerminalPaths;
  manifest: BackupManifest;
  /** What the restored database holds, as its VSE read it. */
  check: VseResult<'databaseCheck'>;
  keyFrom: 'environment' | 'backup' | 'key file';
}

/**
 * Restores a backup into a data folder that has no database: refused while a terminal holds
 * the folder, when the folder has a database already, or when the key does not open the copy.
 */
export async function restoreTerminal(options: RestoreOptions): Promise<RestoreResult> {
  const manifest = readBackup(options.src);
  const paths = terminalPaths(options);
  mkdirSync(paths.dataDir, { recursive: true, mode: 0o700 });
  const lock = lockDataFolder(paths.lockFile);
  const staging = join(paths.dataDir, `.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    const target = join(paths.vseDir, VSE_DATABASE_FILE);
    if (existsSync(target)) {
      throw new TerminalSetupError('RESTORE_REFUSED', `${paths.dataDir} already holds a terminal database (${target}): restore into a new folder (--data DIR), or move that folder away first — a restore never replaces payments`);
    }
    // The key: the environment's, the backup's, or a key file already at the target.
    const env = options.env ?? process.env;
    const backupKey = manifest.files[BACKUP_FILES.key] !== undefined ? join(options.src, BACKUP_FILES.key) : undefined;
    let keyFrom: RestoreResult['keyFrom'];
    if (env[ENV.databaseKey] !== undefined && env[ENV.databaseKey] !== '') keyFrom = 'environment';
    else if (existsSync(paths.keyFile)) keyFrom = 'key file';
    else if (backupKey !== undefined) keyFrom = 'backup';
    else {
      throw new TerminalSetupError(
        'KEY_MISSING',
        `the backup holds no database key and there is none at ${paths.keyFile}: put the original terminal's key file there (or pass --key-file FILE, or set ${ENV.databaseKey})`,
      );
    }
    // Open the copy with that key in a VSE of its own before anything is put in place.
    mkdirSync(join(staging, 'vse'), { recursive: true, mode: 0o700 });
    if (keyFrom === 'backup') copyOwnerOnly(backupKey!, join(staging, BACKUP_FILES.key));
    copyOwnerOnly(join(options.src, BACKUP_FILES.database), join(staging, 'vse', VSE_DATABASE_FILE));
    const stagingPaths: TerminalPaths = { ...paths, keyFile: keyFrom === 'backup' ? join(staging, BACKUP_FILES.key) : paths.keyFile, vseDir: join(staging, 'vse'), statusFile: join(staging, 'status.json') };
    const { key, source } = loadDatabaseKey(stagingPaths, env);
    const configFile = manifest.files[BACKUP_FILES.config] !== undefined ? join(options.src, BACKUP_FILES.config) : paths.configFile;
    const config = readTerminalConfig(configFile);
    const host = await TerminalHost.start({ ...options.host, paths: stagingPaths, config, databaseKey: key, databaseKeySource: source, lock, testMode: manifest.testMode || options.host?.testMode });
    let check: VseResult<'databaseCheck'>;
    try {
      check = await host.vse.call('databaseCheck', {}, { timeoutMs: 600_000 });
    } finally {
      await host.close();
    }
    if (!check.integrity.ok || !check.audit.ok) {
      throw new TerminalSetupError('BACKUP_INVALID', `the backup's database opens but is not whole: ${check.integrity.problems[0] ?? (check.audit.ok ? '' : check.audit.problem.detail)}`);
    }
    if (check.auditHead?.hash !== manifest.auditHead?.hash) {
      throw new TerminalSetupError('BACKUP_INVALID', "the backup's database does not end where its manifest says (another database?)");
    }
    // Put in place: the database, the config (unless the folder has its own), the key.
    mkdirSync(paths.vseDir, { recursive: true, mode: 0o700 });
    renameSync(join(staging, 'vse', VSE_DATABASE_FILE), target);
    // A VSE closes with its WAL checkpointed; if one was left, it belongs with the database.
    const wal = join(staging, 'vse', `${VSE_DATABASE_FILE}-wal`);
    if (existsSync(wal)) renameSync(wal, `${target}-wal`);
    fsyncFolder(paths.vseDir);
    if (!existsSync(paths.configFile) && configFile !== paths.configFile) copyOwnerOnly(configFile, paths.configFile);
    if (keyFrom === 'backup') copyOwnerOnly(join(staging, BACKUP_FILES.key), paths.keyFile);
    fsyncFolder(paths.dataDir);
    return { paths, manifest, check, keyFrom };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    lock.release();
  }
}
