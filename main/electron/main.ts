/**
 * The Electron app's entry (bundled into dist/app/main.cjs by `npm run build:app`; Electron
 * runs JavaScript, not TypeScript). It hands the real `electron` module to the shell, which
 * does everything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, protocol, safeStorage, session, utilityProcess } from 'electron';
import { pino } from 'pino';
import { parseShellArguments } from './options.ts';
import { Shell, type ElectronModules } from './shell.ts';
import { feedOf } from './updater.ts';

// In the bundle this is dist/app: the preload and the VSE entry sit beside main.cjs, the renderer one folder up.
const here = import.meta.dirname;
const electron: ElectronModules = { app, BrowserWindow, ipcMain, Menu, protocol, safeStorage, session, utilityProcess };
const logger = pino({ base: { service: 'kassa-app' } }, pino.destination(2));

const options = parseShellArguments(process.argv.slice(1));

/**
 * Updates only in a packaged app: electron-builder writes the update server into
 * resources/app-update.yml; --update-url overrides it for this machine (docs/updates.md).
 */
async function updates() {
  if (!app.isPackaged) return undefined;
  let packaged: string | undefined;
  try {
    packaged = feedOf(readFileSync(join(process.resourcesPath, 'app-update.yml'), 'utf8'));
  } catch {
    packaged = undefined;
  }
  const { autoUpdater } = await import('electron-updater');
  return { updater: autoUpdater, feed: options.updateUrl ?? packaged };
}

Shell.start(electron, {
  ...options,
  updates,
  files: { rendererRoot: join(here, '..', 'renderer'), preload: join(here, 'preload.cjs'), vseEntry: join(here, 'vse.cjs') },
  logger,
  signals: process,
  env: process.env,
}).catch((error: unknown) => {
  logger.fatal({ err: error }, 'the app could not start');
  app.exit(1);
});
