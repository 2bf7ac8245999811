/**
 * A full disk at the terminal's command line, for real: the data folder on a 2 MiB tmpfs
 * filled to its last block, every command a real `kassa` process. `kassa request`, `accept`
 * and `settle` refuse with one line (DISK_FULL, the folder, the space needed) and no stack
 * trace; `kassa status` still answers, read-only; nothing is left behind (no lock file, no
 * temporary files, no WAL); once space is freed, payments are taken again.
 */
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackendFixture, type BackendFixture } from './support/backend.ts';
import { createFileAtomic, writeFileAtomic } from '../base/node/atomic-file.ts';
import { lockFile } from '../base/node/lock-file.ts';
import { main } from '../sim/cli/kassa.ts';
import { lockDataFolder } from '../main/terminal/data-lock.ts';
import { loadDatabaseKey } from '../main/terminal/database-key.ts';
import { terminalPaths } from '../main/terminal/paths.ts';
import { kassa, type Run } from './support/cli.ts';
import { fillDisk, mountTmpfs, tmpfsSkipReason, unmount } from './support/tmpfs.ts';

const skip = tmpfsSkipReason();
if (skip !== undefined) process.stderr.write(`terminal-disk-full: skipped — ${skip}\n`);

/** The commands' environment: no KASSA_* of the machine running the tests leaks in. */
const env = { PATH: process.env.PATH ?? '' };

/** Every file and folder under `dir`, with its size: what a command left behind shows here. */
function contents(dir: string): string[] {
  const entries = readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => join(dir, name));
  return entries.map((path) => `${relative(dir, path)} ${statSync(path).isDirectory() ? 'dir' : statSync(path).size}`).sort();
}

/** `kassa ARGS` run in this process by the command line's own main(). */
async function inProcess(args: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), readStdin: async () => '' });
  return { code, stdout, stderr };
}

function expectOneLineRefusal(run: Run, command: string, data: string): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stdout).toBe('');
  expect(run.stderr.trimEnd().split('\n'), run.stderr).toHaveLength(1);
  expect(run.stderr).toMatch(new RegExp(`^kassa ${command}: the disk holding ${data} is full \\(\\d+ (bytes|KiB) free\\): kassa needs at least 1 MiB free there to store payments; free some space and try again \\[DISK_FULL\\]\\n$`));
}

describe.skipIf(skip !== undefined)('a full disk at the command line', () => {
  let fx: BackendFixture;
  let data: string;
  let mounted = false;
  const withData = (args: string[]) => [...args, '--data', data];

  beforeAll(async () => {
    fx = await startBackendFixture();
    await fx.admin.createAccount('alice', 'SEK', 100_000);
    data = join(fx.folder, 'terminal');
    mkdirSync(data, { mode: 0o700 });
    mountTmpfs(data, 'size=2m,mode=0700');
    mounted = true;
  }, 60_000);
  afterAll(async () => {
    if (mounted) unmount(data);
    await fx?.close();
  });

  it('refuses request, accept and settle with one DISK_FULL line, still shows status, leaves nothing behind, and recovers', { timeout: 240_000 }, async () => {
    // The scene is set in this process (the machine is shared: a `kassa` process costs seconds
    // to start); the commands under test below are real processes.
    const { token } = await fx.admin.createEnrollmentToken({ merchantId: 'M-FULL', merchantName: 'Fullständig' });
    expect((await inProcess(withData(['enroll', '--backend', fx.backend.url, `--token=${token}`, '--root-key', fx.backend.rootKeys[0]!]))).code).toBe(0);
    const wallet = join(fx.folder, 'wallet.json');
    expect((await inProcess(['wallet', 'reserve', '--backend', fx.backend.url, '--amount', '20000', '--account', 'alice', '--wallet', wallet, '--root-key', fx.backend.rootKeys[0]!])).code).toBe(0);
    const pay = async (amount: string): Promise<string> => {
      const request = await inProcess(withData(['request', '--amount', amount]));
      expect(request.code, request.stderr).toBe(0);
      const paid = await inProcess(['wallet', 'pay', '--wallet', wallet, request.stdout.split('\n')[0]!]);
      expect(paid.code, paid.stderr).toBe(0);
      return paid.stdout.split('\n')[0]!;
    };
    const first = await pay('1250');
    expect((await inProcess(withData(['accept', first]))).code).toBe(0);
    const second = await pay('900'); // paid while there was room, brought to the counter after the disk filled

    const filler = fillDisk(data);
    const full = contents(data);
    expect(full).not.toContainEqual(expect.stringMatching(/lock|\.tmp|-wal|-shm/));

    expectOneLineRefusal(await kassa(withData(['request', '--amount', '500']), { env }), 'request', data);
    expect(contents(data)).toEqual(full);
    expectOneLineRefusal(await kassa(withData(['accept', second]), { env }), 'accept', data);
    expect(contents(data)).toEqual(full);
    expectOneLineRefusal(await kassa(withData(['settle']), { env }), 'settle', data);
    expect(contents(data)).toEqual(full);

    const status = await kassa(withData(['status']), { env });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stderr).toBe('');
    expect(status.stdout).toMatch(/Terminal: +T-[0-9A-F]{16}, Fullständig/);
    expect(status.stdout).toMatch(/Unsettled: +1 payment, 12\.50 SEK/);
    expect(status.stdout).toMatch(new RegExp(`Storage: +read-only: the disk holding ${data} is full .*; payments cannot be taken`));
    const json = await kassa(withData(['status', '--json']), { env });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ storage: { readOnly: true, problem: expect.stringContaining('is full') }, unsettled: [{ currency: 'SEK', count: 1, amount: 1250 }] });
    expect(contents(data)).toEqual(full);

    rmSync(filler);
    const accepted = await kassa(withData(['accept', second]), { env });
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(JSON.parse(accepted.stdout.split('\n')[0]!)).toMatchObject({ outcome: 'accepted', duplicate: false });
    const after = await kassa(withData(['status', '--json']), { env });
    expect(JSON.parse(after.stdout)).toMatchObject({ storage: { readOnly: false, problem: null }, unsettled: [{ currency: 'SEK', count: 2, amount: 2150 }] });
    expect(contents(data)).not.toContainEqual(expect.stringMatching(/lock|\.tmp|-wal|-shm/));
  });

  it('the lock, the atomic writes and a new key file on a full disk: typed errors, nothing left behind', () => {
    const filler = fillDisk(data);
    const full = contents(data);
    try {
      const lock = join(data, 'terminal.lock');
      expect(() => lockFile(lock)).toThrow(expect.objectContaining({ name: 'LockFileError', code: 'NO_SPACE' }));
      expect(() => lockDataFolder(lock)).toThrow(expect.objectContaining({ name: 'TerminalSetupError', code: 'DISK_FULL', message: expect.stringContaining(`the disk holding ${data} is full`) }));
      expect(() => writeFileAtomic(join(data, 'config.json'), 'x'.repeat(10_000))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      expect(() => createFileAtomic(join(data, 'new.key'), 'x'.repeat(10_000))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
      // A terminal with no key file and no database yet: the key file is made, or rather cannot be.
      const fresh = { ...terminalPaths({ dataDir: data, keyFile: join(data, 'fresh.key'), env: {} }), vseDir: join(data, 'no-vse-yet') };
      expect(() => loadDatabaseKey(fresh, {})).toThrow(expect.objectContaining({ name: 'TerminalSetupError', code: 'DISK_FULL' }));
      expect(contents(data)).toEqual(full);
    } finally {
      rmSync(filler);
    }
  });
});
