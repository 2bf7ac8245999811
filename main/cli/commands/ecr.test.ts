/**
 * `kassa ecr add|revoke|list` on a real data folder: the token is printed once and only its
 * SHA-256 is stored, a revoked token stops matching, a name is checked, and the list is not
 * changed while a host holds the data folder. The first add and the refusal run as real
 * processes; the rest runs the same command line in this process (a process start costs seconds
 * on a loaded machine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfigFile } from '../../terminal/config.ts';
import { lockDataFolder } from '../../terminal/data-lock.ts';
import { ecrClientFor, tokenSha256 } from '../../ecr/credentials.ts';
import { kassa as kassaProcess, type Run } from '../../../test/support/cli.ts';
import { main } from '../kassa.ts';
import { tempFolders } from '../../../test/support/temp.ts';

const folder = tempFolders();
const env = { PATH: process.env.PATH ?? '' };
const TOKEN = /kassa_ecr_[A-Za-z0-9_-]{43}/;

/** The command line in this process, with its output collected. */
async function kassa(args: string[], _options?: unknown): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), readStdin: async () => '' });
  return { code, stdout, stderr };
}

function registers(data: string) {
  return readConfigFile(join(data, 'config.json'))?.host?.ecr.clients ?? [];
}

describe('kassa ecr', () => {
  it('adds a register with a token shown once and stored only as its SHA-256, lists it, revokes it, gives it a new token', { timeout: 60_000 }, async () => {
    const data = join(folder('kassa-ecr-'), 'terminal');
    const added = await kassaProcess(['ecr', 'add', 'front-register', '--data', data], { env });
    expect(added.code, added.stderr).toBe(0);
    const token = TOKEN.exec(added.stdout)?.[0];
    expect(token, added.stdout).toBeDefined();
    expect(added.stdout).toContain(`Authorization: Bearer ${token}`);
    const stored = registers(data);
    expect(stored).toEqual([{ name: 'front-register', tokenSha256: tokenSha256(token!), createdAt: expect.any(Number), revokedAt: null }]);
    expect(readFileSync(join(data, 'config.json'), 'utf8')).not.toContain(token!);
    expect(ecrClientFor(token!, stored)?.name).toBe('front-register');

    expect(await kassa(['ecr', 'add', 'front-register', '--data', data], { env })).toMatchObject({ code: 1, stderr: expect.stringMatching(/exists: revoke it first.*\[EXISTS\]/) });
    expect(await kassa(['ecr', 'add', '../etc', '--data', data], { env })).toMatchObject({ code: 1, stderr: expect.stringMatching(/\[NAME_INVALID\]/) });
    const second = await kassa(['ecr', 'add', 'back-office', '--json', '--data', data], { env });
    expect(JSON.parse(second.stdout)).toEqual({ name: 'back-office', token: expect.stringMatching(TOKEN) });

    const listed = await kassa(['ecr', 'list', '--data', data], { env });
    expect(listed.stdout).toMatch(/^front-register +added \S+ +active$/m);
    expect(listed.stdout).not.toMatch(TOKEN);

    expect(await kassa(['ecr', 'revoke', 'front-register', '--data', data], { env })).toMatchObject({ code: 0, stdout: expect.stringMatching(/revoked: its token no longer works/) });
    expect(ecrClientFor(token!, registers(data))).toBeUndefined();
    expect(await kassa(['ecr', 'revoke', 'front-register', '--data', data], { env })).toMatchObject({ code: 0, stdout: expect.stringMatching(/revoked already/) });
    expect(await kassa(['ecr', 'revoke', 'nobody', '--data', data], { env })).toMatchObject({ code: 1, stderr: expect.stringMatching(/\[NOT_FOUND\]/) });
    const json = JSON.parse((await kassa(['ecr', 'list', '--json', '--data', data], { env })).stdout) as { registers: { name: string; revokedAt: number | null }[] };
    expect(json.registers.map((r) => [r.name, r.revokedAt === null])).toEqual([
      ['front-register', false],
      ['back-office', true],
    ]);

    const renewed = await kassa(['ecr', 'add', 'front-register', '--data', data], { env });
    expect(renewed.stdout).toMatch(/has a new token/);
    const newToken = TOKEN.exec(renewed.stdout)![0];
    expect(newToken).not.toBe(token);
    expect(ecrClientFor(newToken, registers(data))?.name).toBe('front-register');
    expect(ecrClientFor(token!, registers(data))).toBeUndefined();
  });

  it('changes nothing while a host holds the data folder, and says to stop it', async () => {
    const data = folder('kassa-ecr-held-');
    expect((await kassa(['ecr', 'add', 'front-register', '--data', data], { env })).code).toBe(0);
    const lock = lockDataFolder(join(data, 'terminal.lock'));
    try {
      const refused = await kassaProcess(['ecr', 'add', 'another', '--data', data], { env });
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringMatching(/DATA_FOLDER_IN_USE/) });
      expect(refused.stderr).toMatch(/stop kassa serve/);
      expect((await kassa(['ecr', 'revoke', 'front-register', '--data', data], { env })).code).toBe(1);
      // Listing reads only.
      expect((await kassa(['ecr', 'list', '--data', data], { env })).stdout).toMatch(/front-register .* active/);
    } finally {
      lock.release();
    }
    expect(registers(data).map((r) => [r.name, r.revokedAt])).toEqual([['front-register', null]]);
  });

  it('explains its usage', async () => {
    expect(await kassa(['ecr'], { env })).toMatchObject({ code: 2, stderr: expect.stringMatching(/add, revoke or list/) });
    expect(await kassa(['ecr', 'add'], { env })).toMatchObject({ code: 2, stderr: expect.stringMatching(/NAME/) });
  });
});
