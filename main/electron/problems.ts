/**
 * What the operator screen says when the terminal cannot start: for each way of failing, what
 * happened and what to do about it. The VSE is never started behind such a screen.
 */
import { TerminalSetupError } from '../terminal/errors.ts';
import { SealedKeyError } from './sealed-key.ts';
import type { ShellProblem } from './shell-pages.ts';

const HEADLESS = 'On a counter machine without a desktop session, run the headless host instead: `kassa serve` keeps the key in a key file of mode 0600 or a systemd credential (docs/electron.md, "The database key").';

const KEYRING_STEPS = [
  'Install a keyring and log in to a desktop session that unlocks it: GNOME Keyring (`sudo apt install gnome-keyring libsecret-1-0`) or KWallet.',
  'If the keyring runs but the desktop is not recognised, name it: start Kassa with `--keyring gnome-libsecret` (or `kwallet5`, `kwallet6`).',
  HEADLESS,
];

export function problemFor(error: unknown, dataDir: string): ShellProblem {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof SealedKeyError) {
    switch (error.code) {
      case 'SAFE_STORAGE_INSECURE':
        return { code: error.code, title: 'no keyring to protect the payment database', message: `${message}.`, steps: KEYRING_STEPS };
      case 'SAFE_STORAGE_UNAVAILABLE':
        return { code: error.code, title: 'the keyring is not available', message: `${message}.`, steps: ['Unlock the keyring (log in to the desktop session again), then start Kassa.', ...KEYRING_STEPS] };
      case 'SEALED_KEY_UNREADABLE':
        return {
          code: error.code,
          title: 'the payment database\'s key cannot be unsealed',
          message: `${message}.`,
          steps: [
            'Start Kassa as the same user, in the same kind of desktop session (the same keyring), as when this terminal was set up.',
            `If the sealed key file in ${dataDir} was damaged or replaced, restore it from a backup: the stored payments cannot be read without it.`,
          ],
        };
      case 'SEALED_KEY_INSECURE':
        return { code: error.code, title: 'the sealed key is not private', message, steps: ['Make the file readable by this user only, as the message says, then start Kassa.'] };
      case 'KEY_MISSING':
        return { code: error.code, title: 'the payment database\'s key is missing', message, steps: ['Restore the sealed key file from a backup into the data folder, then start Kassa.'] };
      case 'KEY_FILE_PRESENT':
        return {
          code: error.code,
          title: 'this data folder belongs to a headless host',
          message,
          steps: ['Run this folder with the headless host (`kassa serve --data FOLDER`), or give the app a folder of its own with `--data DIR`.'],
        };
      case 'DATA_FOLDER_UNUSABLE':
        return { code: error.code, title: 'the data folder cannot be written', message, steps: [`Check that ${dataDir} exists, belongs to this user and has free space.`] };
    }
  }
  if (error instanceof TerminalSetupError && error.code === 'DATA_FOLDER_IN_USE') {
    return { code: error.code, title: 'another Kassa is using this terminal', message, steps: ['Close the other Kassa (the app, or `kassa serve`) and start this one again.'] };
  }
  const code = typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : 'START_FAILED';
  return {
    code,
    title: 'the terminal could not start',
    message,
    steps: [`Check the data folder ${dataDir} and the log on standard error, then start Kassa again.`, 'If the message names the database key, restore the sealed key file from a backup.'],
  };
}
