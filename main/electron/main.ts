/**
 * The Electron app's entry (bundled into dist/app/main.cjs by `npm run build:app`; Electron
 * runs JavaScript, not TypeScript). It hands the real `electron` module to the shell, which
 * does everything else.
 */
import { join } from 'node:path';
import { app, BrowserWindow, ipcMain, Menu, protocol, safeStorage, session, utilityProcess } from 'electron';
import { pino } from 'pino';
import { parseShellArguments } from './options.ts';
import { Shell, type ElectronModules } from './shell.ts';

// In the bundle this is dist/app: the preload and the VSE entry sit beside main.cjs, the renderer one folder up.
const here = import.meta.dirname;
const electron: ElectronModules = { app, BrowserWindow, ipcMain, Menu, protocol, safeStorage, session, utilityProcess };
const logger = pino({ base: { service: 'kassa-app' } }, pino.destination(2));

Shell.start(electron, {
  ...parseShellArguments(process.argv.slice(1)),
  files: { rendererRoot: join(here, '..', 'renderer'), preload: join(here, 'preload.cjs'), vseEntry: join(here, 'vse.cjs') },
  logger,
  signals: process,
  env: process.env,
}).catch((error: unknown) => {
  logger.fatal({ err: error }, 'the app could not start');
  app.exit(1);
});
