/**
 * The app's switches among Electron's, Chromium's and a launcher's; and what the operator
 * screen says for each way of failing to start.
 */
import { describe, expect, it } from 'vitest';
import { TerminalSetupError } from '../terminal/errors.ts';
import { dataDirFor, parseShellArguments } from './options.ts';
import { problemFor } from './problems.ts';
import { SealedKeyError, type SealedKeyErrorCode } from './sealed-key.ts';

describe('the app\'s switches', () => {
  it('reads its own and leaves Electron\'s, Chromium\'s and Playwright\'s alone', () => {
    const argv = ['/opt/kassa/dist/app/main.cjs', '--inspect=0', '--remote-debugging-port=0', '--no-sandbox', '--password-store=basic', '--data', 'till-data', '--kiosk', '--display', '--demo', '--keyring', 'kwallet6'];
    expect(parseShellArguments(argv, {})).toEqual({ dataDir: `${process.cwd()}/till-data`, kiosk: true, display: true, demo: true, keyring: 'kwallet6', warnings: [] });
    expect(parseShellArguments([], {})).toEqual({ dataDir: undefined, kiosk: false, display: false, demo: false, warnings: [] });
  });

  it('takes this machine\'s update server from --update-url', () => {
    expect(parseShellArguments(['--update-url', 'https://updates.example-shop.se/kassa/'], {}).updateUrl).toBe('https://updates.example-shop.se/kassa/');
    expect(parseShellArguments([], {})).not.toHaveProperty('updateUrl');
  });

  it('takes the data folder from KASSA_DATA when --data is not given, else Electron\'s user-data folder', () => {
    expect(parseShellArguments([], { KASSA_DATA: '/srv/kassa' }).dataDir).toBe('/srv/kassa');
    expect(parseShellArguments(['--data=/a'], { KASSA_DATA: '/srv/kassa' }).dataDir).toBe('/a');
    expect(dataDirFor({ dataDir: undefined }, '/home/cashier/.config/Kassa')).toBe('/home/cashier/.config/Kassa/terminal');
    expect(dataDirFor({ dataDir: '/a' }, '/home/cashier/.config/Kassa')).toBe('/a');
  });

  it('refuses to name basic (or anything unknown) as the keyring, with a warning', () => {
    for (const keyring of ['basic', 'gnome-keyring', '']) {
      const options = parseShellArguments(['--keyring', keyring], {});
      expect(options.keyring).toBeUndefined();
      expect(options.warnings).toEqual([expect.stringContaining('--keyring takes one of gnome-libsecret, kwallet, kwallet5, kwallet6')]);
    }
  });
});

describe('the operator screen', () => {
  it('says what to do for every sealed-key refusal', () => {
    const codes: SealedKeyErrorCode[] = ['SAFE_STORAGE_UNAVAILABLE', 'SAFE_STORAGE_INSECURE', 'SEALED_KEY_UNREADABLE', 'SEALED_KEY_INSECURE', 'KEY_MISSING', 'KEY_FILE_PRESENT', 'DATA_FOLDER_UNUSABLE'];
    for (const code of codes) {
      const problem = problemFor(new SealedKeyError(code, `because ${code}`), '/data');
      expect(problem.code).toBe(code);
      expect(problem.message).toContain(`because ${code}`);
      expect(problem.steps.length).toBeGreaterThan(0);
      expect(problem.title).not.toBe('the terminal could not start');
    }
    const basic = problemFor(new SealedKeyError('SAFE_STORAGE_INSECURE', 'x'), '/data');
    expect(basic.steps.join('\n')).toMatch(/gnome-keyring[\s\S]*--keyring gnome-libsecret[\s\S]*kassa serve/);
  });

  it('names a busy data folder, and passes any other failure through with its code', () => {
    expect(problemFor(new TerminalSetupError('DATA_FOLDER_IN_USE', 'pid 7 has it'), '/data')).toMatchObject({ code: 'DATA_FOLDER_IN_USE', message: 'pid 7 has it' });
    expect(problemFor(Object.assign(new Error('wrong key'), { code: 'WRONG_DATABASE_KEY' }), '/data')).toMatchObject({ code: 'WRONG_DATABASE_KEY', title: 'the terminal could not start', message: 'wrong key' });
    expect(problemFor('a string', '/data')).toMatchObject({ code: 'START_FAILED', message: 'a string' });
  });
});
