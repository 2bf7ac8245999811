// The lint rule kassa/no-insecure-web-preferences (scripts/eslint-web-preferences.js, wired in
// eslint.config.js for every file) bites: each insecure web preference, written any way a
// window's options can be written, in product code, a test or a script, is an error; the
// secure values (window-factory.ts's) pass.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });
const RULE = 'kassa/no-insecure-web-preferences';

async function ruleHits(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath });
  const parseErrors = (result?.messages ?? []).filter((m) => m.ruleId === null);
  expect(parseErrors, code).toEqual([]);
  return (result?.messages ?? []).filter((m) => m.ruleId === RULE && m.severity === 2).map((m) => m.message);
}

const INSECURE: string[] = [
  'export const o = { webPreferences: { sandbox: false } };',
  'export const o = { webPreferences: { nodeIntegration: true } };',
  'export const o = { webPreferences: { contextIsolation: false } };',
  'export const o = { webPreferences: { webSecurity: false } };',
  'export const o = { nodeIntegrationInWorker: true, nodeIntegrationInSubFrames: false };',
  'export const o = { allowRunningInsecureContent: true };',
  'export const o = { webviewTag: true };',
  "export const o = { 'sandbox': false };",
  'export const o = { ["contextIsolation"]: false };',
  'export const o = { sandbox: !1 };',
  'export const o = { webSecurity: false as boolean };',
  'export function f(p: { sandbox: boolean }) { p.sandbox = false; }',
  "export function f(p: Record<string, boolean>) { p['nodeIntegration'] = true; }",
  'export function f(flag: boolean) { return { sandbox: flag }; }',
];

const FILES = ['main/electron/window-factory.ts', 'main/electron/example.test.ts', 'scripts/example.js', 'test/support/example.ts', 'sim/example.cjs'];

describe('kassa/no-insecure-web-preferences', () => {
  it.each(INSECURE)('refuses %s', async (code) => {
    expect(await ruleHits('main/electron/example.ts', code)).toHaveLength(1);
  });

  it.each(FILES)('applies in %s (anywhere, tests and scripts included)', async (file) => {
    const code = file.endsWith('.ts') ? INSECURE[0]! : 'module.exports = { webPreferences: { sandbox: false } };';
    const hits = await ruleHits(file, code);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatch(/sandbox: false undoes/);
  });

  it('lets the secure preferences through, and leaves unrelated keys alone', async () => {
    const secure = `export const o = { sandbox: true, contextIsolation: true, webSecurity: true, nodeIntegration: false,
      nodeIntegrationInWorker: false, nodeIntegrationInSubFrames: false, allowRunningInsecureContent: false, webviewTag: false,
      devTools: false, spellcheck: false };
      export function f(p: { sandbox: boolean }) { p.sandbox = true; }`;
    expect(await ruleHits('main/electron/example.ts', secure)).toEqual([]);
  });
});
