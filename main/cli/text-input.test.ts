/**
 * A text longer than any Kassa text — a 100 MB paste, `yes |`, a runaway pipe — is refused by
 * `kassa accept`, `kassa verify -` and `kassa inspect -` as MALFORMED in their usual JSON,
 * after reading only a little of it, and `kassa accept` refuses it before the terminal is
 * opened: no key made, no lock taken, no VSE started.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../protocol/index.ts';
import { MAX_PAYMENT_TEXT_LENGTH } from '../../vse/contract/rpc.ts';
import { generateP256PrivateKey, nodeSigner } from '../../base/node/node-es256.ts';
import { kassa, kassaFedStdin } from '../../test/support/cli.ts';
import { tempFolders } from '../../test/support/temp.ts';
import { writeTerminalConfig, TERMINAL_CONFIG_FORMAT } from '../terminal/config.ts';
import { main } from './kassa.ts';

const tempFolder = tempFolders();
const env = { PATH: process.env.PATH ?? '' };
const HUNDRED_MB = 100 * 1024 * 1024;
/** Far less than the 100 MB offered: what kassa read plus what the pipe buffers. */
const READ_AT_MOST = 1024 * 1024;
const rootKey = () => toHex(nodeSigner(generateP256PrivateKey()).publicKey);

/** A data folder with a configuration and nothing else: opening it would make the key and start the VSE. */
function configuredTerminal(): string {
  const data = join(tempFolder('kassa-text-input-'), 'terminal');
  mkdirSync(data, { mode: 0o700 });
  writeTerminalConfig(join(data, 'config.json'), { format: TERMINAL_CONFIG_FORMAT, backendUrl: 'http://127.0.0.1:9', rootKeys: [rootKey()] });
  return data;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: (t) => void (out += t), stderr: (t) => void (err += t), readStdin: async () => '' });
  return { code, out, err };
}

const malformed = { reason: 'MALFORMED', detail: expect.stringContaining(`more than ${MAX_PAYMENT_TEXT_LENGTH} characters`) };

describe('an overlong text', () => {
  it('kassa accept -: 100 MB of standard input is refused as MALFORMED after a little of it is read, and the terminal is never opened', async () => {
    const data = configuredTerminal();
    const result = await kassaFedStdin(['accept', '--data', data, '-'], HUNDRED_MB, { env });
    expect(result.code, result.stderr).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ outcome: 'rejected', ...malformed });
    expect(result.stderr).toMatch(/^kassa accept: REJECTED MALFORMED: standard input holds more than 4096 characters/);
    expect(result.stdinTaken).toBeLessThan(READ_AT_MOST);
    expect(readdirSync(data)).toEqual(['config.json']);
  });

  it('kassa accept TEXT: one character over the limit is refused before the terminal is opened; at the limit the VSE answers', { timeout: 60_000 }, async () => {
    const over = configuredTerminal();
    const refused = await run(['accept', '--data', over, `KP1:${'A'.repeat(MAX_PAYMENT_TEXT_LENGTH - 3)}`]);
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.out)).toEqual({ outcome: 'rejected', ...malformed });
    expect(readdirSync(over)).toEqual(['config.json']);

    // The control: a text of exactly the limit goes to the VSE, which starts (its folder is
    // made) and answers — here that this terminal is not enrolled yet.
    const at = configuredTerminal();
    const judged = await run(['accept', '--data', at, `KP1:${'A'.repeat(MAX_PAYMENT_TEXT_LENGTH - 4)}`]);
    expect([judged.code, judged.out]).toEqual([1, '']);
    expect(judged.err).toContain("the terminal's VSE answered NOT_ENROLLED");
    expect(existsSync(join(at, 'vse'))).toBe(true);
  });

  it('kassa verify - and kassa inspect -: 100 MB of standard input is refused as MALFORMED after a little of it is read', async () => {
    const trustList = join(tempFolder('kassa-text-input-'), 'trust-list.cbor');
    writeFileSync(trustList, new Uint8Array([0xa0]));
    for (const args of [['verify', '--root-key', rootKey(), '--trust-list', trustList, '-'], ['inspect', '-']]) {
      const result = await kassaFedStdin(args, HUNDRED_MB, { env });
      expect([args[0], result.code]).toEqual([args[0], 1]);
      expect(JSON.parse(result.stdout)).toEqual({ ok: false, ...malformed });
      expect(result.stdinTaken).toBeLessThan(READ_AT_MOST);
    }
  });

  it('a text of exactly the limit is read whole from standard input', async () => {
    const text = `KP1:${'A'.repeat(MAX_PAYMENT_TEXT_LENGTH - 4)}`;
    const inspected = await kassa(['inspect', '-'], { env, stdin: text });
    // Decoded, and refused for what it is (not base45 of a bundle), not for its length.
    expect(JSON.parse(inspected.stdout)).toMatchObject({ ok: false, reason: 'MALFORMED', detail: expect.not.stringContaining('characters') });
  });
});
