// The layering lint (eslint.config.js) enforces ARCHITECTURE.md's "Folder = runtime" rule.
// Each case lints a deliberate violation as if it stood in the named file, and one allowed
// import beside it, so a rule that silently stopped working fails here.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const violations: Array<[file: string, code: string, rule: string]> = [
  ['protocol/example.ts', "import { readFileSync } from 'node:fs'; export { readFileSync };", 'no-restricted-imports'],
  ['protocol/example.ts', "import fs from 'fs'; export { fs };", 'no-restricted-imports'],
  ['protocol/example.ts', 'export const bytes = Buffer.from([]);', 'no-restricted-globals'],
  ['protocol/example.ts', "import { nodeVerify } from '../base/node/node-es256.ts'; export { nodeVerify };", 'kassa/layering'],
  ['protocol/example.ts', "import { writeFileAtomic } from '../base/node/atomic-file.ts'; export { writeFileAtomic };", 'kassa/layering'],
  ['renderer/example.ts', "import { lockFile } from '../base/node/lock-file.ts'; export { lockFile };", 'kassa/layering'],
  ['base/common/example.ts', "import { toHex } from '../../protocol/index.ts'; export { toHex };", 'kassa/layering'],
  ['base/common/example.ts', "import { lockFile } from '../node/lock-file.ts'; export { lockFile };", 'kassa/layering'],
  ['base/common/example.ts', "import { readFileSync } from 'node:fs'; export { readFileSync };", 'no-restricted-imports'],
  ['base/common/example.ts', 'export const bytes = Buffer.from([]);', 'no-restricted-globals'],
  ['base/node/example.ts', "import { toHex } from '../../protocol/index.ts'; export { toHex };", 'kassa/layering'],
  ['base/node/example.ts', "import '../../vse/vse.ts';", 'kassa/layering'],
  ['base/node/example.ts', "import http from 'node:http'; export { http };", 'no-restricted-imports'],
  ['main/example.ts', "import '../vse/crypto/node-es256.ts';", 'kassa/layering'],
  ['main/example.ts', "import '../vse/accept/accept.ts';", 'kassa/layering'],
  ['sim/example.ts', "import '../vse/store/database.ts';", 'kassa/layering'],
  ['protocol/cose/example.ts', "import '../../hardware/serial/line-framer.ts';", 'kassa/layering'],
  ['vse/example.ts', "import { app } from 'electron'; export { app };", 'no-restricted-imports'],
  ['vse/example.ts', "import http from 'node:http'; export { http };", 'no-restricted-imports'],
  ['vse/example.ts', "export const answer = fetch('http://127.0.0.1/');", 'no-restricted-globals'],
  ['vse/example.ts', "import { SerialPort } from 'serialport'; export { SerialPort };", 'no-restricted-imports'],
  ['hardware/example.ts', "import { BrowserWindow } from 'electron'; export { BrowserWindow };", 'no-restricted-imports'],
  ['main/example.ts', "import { app } from 'electron'; export { app };", 'no-restricted-imports'],
  ['main/example.ts', "import '../vse/store/database.ts';", 'kassa/layering'],
  ['main/services/example.ts', "import '../../sim/wallet/wallet.ts';", 'kassa/layering'],
  ['renderer/example.ts', "import { join } from 'node:path'; export { join };", 'no-restricted-imports'],
  ['renderer/example.ts', "import '../main/cli/kassa.ts';", 'kassa/layering'],
  ['sim/example.ts', "import '../main/cli/kassa.ts';", 'kassa/layering'],
  ['base/node/example.ts', "import '../../protocol/index.ts';", 'kassa/layering'],
  // The product ships no simulator: no part of main/, its command line included, reaches sim/.
  ['main/cli/example.ts', "import '../../sim/wallet/wallet.ts';", 'kassa/layering'],
  ['main/cli/commands/example.ts', "import '../../../sim/backend/process.ts';", 'kassa/layering'],
  ['main/headless/example.ts', "import '../../sim/devices/serial-scanner.ts';", 'kassa/layering'],
  ['main/example.ts', "export const load = () => import('../sim/wallet/wallet.ts');", 'kassa/layering'],
  ['main/contract/example.ts', "import '../terminal/paths.ts';", 'kassa/layering'],
  ['main/contract/example.ts', "import { readFileSync } from 'node:fs'; export { readFileSync };", 'no-restricted-imports'],
  ['sim/wallet/example.ts', "import '../../main/terminal/paths.ts';", 'kassa/layering'],
];

describe('layering lint', () => {
  it.each(violations)('%s: %s is refused by %s', async (file, code, rule) => {
    const broken = await rulesBroken(file, code);
    expect(broken.map((m) => m.split(':')[0])).toContain(rule);
  });

  const allowed: Array<[file: string, code: string]> = [
    ['protocol/example.ts', "import { toHex } from './bytes.ts'; export { toHex };"],
    ['vse/example.ts', "import { toHex } from '../protocol/index.ts'; export { toHex };"],
    ['main/electron/example.ts', "import { app } from 'electron'; export { app };"],
    ['main/example.ts', "import { nodeVerify } from '../base/node/node-es256.ts'; export { nodeVerify };"],
    ['main/cli/example.ts', "import '../terminal/paths.ts';"],
    ['sim/cli/example.ts', "import '../../main/terminal/paths.ts';"],
    ['sim/cli/commands/example.ts', "import '../../wallet/wallet.ts';"],
    ['main/contract/example.ts', "import { toHex } from '../../protocol/index.ts'; export { toHex };"],
    ['sim/example.ts', "import { nodeVerify } from '../base/node/node-es256.ts'; export { nodeVerify };"],
    ['vse/example.ts', "import { migrate } from '../base/node/migrate.ts'; export { migrate };"],
    ['hardware/example.ts', "import { Emitter } from '../base/common/emitter.ts'; export { Emitter };"],
    ['protocol/example.ts', "import { toHex } from '../base/common/bytes.ts'; export { toHex };"],
    ['renderer/example.ts', "import { CodedError } from '../base/common/coded-error.ts'; export { CodedError };"],
    ['base/node/example.ts', "import { CodedError } from '../common/coded-error.ts'; export { CodedError };"],
    ['base/node/example.ts', "import { writeFileAtomic } from './atomic-file.ts'; export { writeFileAtomic };"],
    ['base/common/example.ts', "import { toHex } from './bytes.ts'; export { toHex };"],
    ['main/cli/example.ts', "import '../../base/node/qr-png.ts';"],
    ['protocol/example.test.ts', "import { readFileSync } from 'node:fs'; export { readFileSync };"],
  ];
  it.each(allowed)('%s: %s is allowed', async (file, code) => {
    expect(await rulesBroken(file, code)).toEqual([]);
  });
});
