/**
 * A real electron-builder build of the app (its `dir` target: the unpacked app folder every
 * installer is made from), with electron-builder.yml as it is, around a stand-in for the
 * Electron binary — the one part that cannot be downloaded here. The stand-in carries
 * Electron's fuse wire exactly as an Electron binary does (the sentinel, the wire version,
 * the wire's length, one byte per fuse) with Electron's default states, so electron-builder's
 * fuse step (@electron/fuses) finds and flips it as it would in the real binary.
 *
 * Two things differ from a release build, both because they need the network: no native
 * rebuild (`npmRebuild=false`; @electron/rebuild would fetch Electron's headers — the addons
 * are Node-API prebuilds that need none) and no download of Electron (`electronDist`).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { listPackage, statFile } from '@electron/asar';
import { build as viteBuild } from 'vite';
import { APP_OUT, buildApp, ROOT } from '../../scripts/build-app.ts';

const run = promisify(execFile);

/** @electron/fuses' sentinel: the fuse wire follows it in every Electron binary since 12. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's default fuse states ('1' on, '0' off), in FuseV1Options order (docs/tutorial/fuses.md). */
export const ELECTRON_DEFAULT_FUSES = {
  runAsNode: '1',
  enableCookieEncryption: '0',
  enableNodeOptionsEnvironmentVariable: '1',
  enableNodeCliInspectArguments: '1',
  enableEmbeddedAsarIntegrityValidation: '0',
  onlyLoadAppFromAsar: '0',
  loadBrowserProcessSpecificV8Snapshot: '0',
  grantFileProtocolExtraPrivileges: '1',
} as const;

/** An unpacked "Electron distribution": the stand-in binary, a locale, Electron's licence. */
export function makeStandInElectronDist(dir: string): string {
  mkdirSync(join(dir, 'locales'), { recursive: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const states = Object.values(ELECTRON_DEFAULT_FUSES).join('');
  const binary = Buffer.concat([
    Buffer.from('\x7fELF (a stand-in for the Electron binary, for packaging tests)\n'),
    Buffer.from(FUSE_SENTINEL, 'latin1'),
    Buffer.from([1, states.length]),
    Buffer.from(states, 'latin1'),
    Buffer.from('\n'),
  ]);
  writeFileSync(join(dir, 'electron'), binary, { mode: 0o755 });
  writeFileSync(join(dir, 'locales', 'en-US.pak'), '');
  writeFileSync(join(dir, 'LICENSE'), 'stand-in\n');
  return dir;
}

export interface PackagedApp {
  /** The unpacked app: the renamed binary and resources/ (app.asar, app.asar.unpacked, extra resources). */
  appDir: string;
  binary: string;
  resources: string;
  log: string;
}

/**
 * Builds what the package holds (the renderer if it is not built yet, the app bundles into
 * dist/app) and runs electron-builder's CLI for linux/x64 `dir` into `outDir`.
 */
export async function packageApp(workDir: string): Promise<PackagedApp> {
  if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) {
    await viteBuild({ configFile: join(ROOT, 'renderer', 'vite.config.ts'), logLevel: 'warn' });
  }
  // dist/app exactly as `npm run build:app` leaves it, nothing left over from an older build.
  rmSync(APP_OUT, { recursive: true, force: true });
  await buildApp();
  const dist = makeStandInElectronDist(join(workDir, 'electron-dist'));
  const outDir = join(workDir, 'out');
  const { stdout, stderr } = await run(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'electron-builder', 'cli.js'),
      '--linux',
      'dir',
      '--x64',
      '--projectDir',
      ROOT,
      '--publish',
      'never',
      `-c.electronDist=${dist}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${outDir}`,
    ],
    { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' }, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 },
  );
  const appDir = join(outDir, 'linux-unpacked');
  return { appDir, binary: join(appDir, 'kassa-app'), resources: join(appDir, 'resources'), log: `${stdout}\n${stderr}` };
}

export interface PackagedFile {
  /** The path inside the app, `/`-separated, without a leading slash (`dist/app/main.cjs`). */
  path: string;
  /** Stored beside the asar in app.asar.unpacked (native addons), not inside it. */
  unpacked: boolean;
}

/** Every file of resources/app.asar, as the asar's own header lists it. */
export function listPackagedFiles(resources: string): PackagedFile[] {
  const asar = join(resources, 'app.asar');
  return listPackage(asar, { isPack: true })
    .map((line) => /^(pack|unpack) *: (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ path: match[2]!.replaceAll('\\', '/').replace(/^\//, ''), unpacked: match[1] === 'unpack' }))
    .filter((file) => {
      const entry = statFile(asar, file.path) as { files?: unknown };
      return entry.files === undefined;
    });
}

/**
 * Why a packaged file should not be in the package, or undefined when it may be: the
 * simulators, tests and benchmarks, the sources (the app runs its bundles), build metafiles.
 */
export function whyNotPackaged(path: string): string | undefined {
  const top = path.split('/')[0];
  if (top === 'sim') return 'the simulators (sim/) are not part of the product';
  if (['test', 'bench', 'scripts', 'hardware', 'protocol', 'base', 'vse', 'main', 'renderer', 'docs', 'build'].includes(top!)) return `${top}/ is source or build input; the app runs dist/`;
  if (/(^|\/)[^/]+\.test\.[cm]?[jt]sx?$/.test(path)) return 'a test file';
  if (/^dist\/app\/.*\.meta\.json$/.test(path)) return "an esbuild metafile (the build's record, not run-time code)";
  if (path.startsWith('dist/') && !/^dist\/(app|renderer)\//.test(path)) return 'a dist/ folder other than app/ and renderer/ (a test build)';
  if (path.startsWith('node_modules/') && /\.(c|cc|cpp|h|hpp|gyp|gypi)$/.test(path)) return "a native addon's build input";
  return undefined;
}
