/**
 * electron-builder.yml: a valid electron-builder configuration (electron-builder's own schema
 * validator), every fuse decided, the installers each OS needs, native addons rebuilt at
 * packaging time and never in postinstall — and a real electron-builder build (`dir`, the
 * folder every installer is made from) around a stand-in Electron binary, whose package is
 * listed file by file: the bundles and the VSE entry in, simulators, tests and sources out,
 * .node files unpacked, exactly the run-time node_modules, the fuse wire flipped as configured.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { getCurrentFuseWire, FuseV1Options } from '@electron/fuses';
import { extractFile } from '@electron/asar';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { DebugLogger } from 'builder-util';
import { feedOf } from '../main/electron/updater.ts';
import { usableFeed } from '../main/electron/update-policy.ts';
import { ROOT } from '../scripts/build-app.ts';
import { BUILD_TIME_ONLY, readLockPackages, RUNTIME_ROOTS, runtimeClosure } from '../scripts/runtime-packages.ts';
import { listPackagedFiles, packageApp, whyNotPackaged, type PackagedApp, type PackagedFile } from './support/packaged-app.ts';
import { tempFolders } from './support/temp.ts';

/** The decision for every fuse Electron 45 has (docs/security.md, "Fuses"). */
const FUSES = {
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  loadBrowserProcessSpecificV8Snapshot: false,
  grantFileProtocolExtraPrivileges: false,
} as const;

/** electron-builder's key for each FuseV1Options member (its own name, first letter lower-cased). */
const fuseKey = (option: string) => `${option[0]!.toLowerCase()}${option.slice(1)}`;
const FUSE_OPTIONS = Object.keys(FuseV1Options).filter((key) => Number.isNaN(Number(key)));

describe('electron-builder.yml', () => {
  it("passes electron-builder's schema validation", async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('rejects a configuration electron-builder does not know (the validator bites)', async () => {
    const config = await getConfig(ROOT, null, null);
    await expect(validateConfiguration({ ...config, electronFuses: { runAsNode: 'no' } } as never, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
    await expect(validateConfiguration({ ...config, linux: { ...config.linux, targett: ['deb'] } } as never, new DebugLogger(false))).rejects.toThrow(/linux/);
  });

  it('decides every fuse @electron/fuses knows, each as the threat model says', async () => {
    const config = await getConfig(ROOT, null, null);
    // A fuse that a later Electron adds shows up in FuseV1Options and fails here until decided.
    expect(FUSE_OPTIONS.map(fuseKey).sort()).toEqual(Object.keys(FUSES).sort());
    expect(config.electronFuses).toEqual(FUSES);
    expect(config.asar).toBe(true);
  });

  it('makes AppImage and deb for Linux, NSIS for Windows, dmg (and the zip macOS updates from) for macOS', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.linux?.target).toEqual(['AppImage', 'deb']);
    expect(config.win?.target).toEqual(['nsis']);
    expect(config.mac?.target).toEqual(['dmg', 'zip']);
    expect(config.mac?.hardenedRuntime).toBe(true);
  });

  it('rebuilds native addons for Electron at packaging time, never in an install script', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.npmRebuild).toBe(true);
    expect(config.buildDependenciesFromSource).toBe(false);
    expect(config.asarUnpack).toEqual(['**/*.node']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(pkg.scripts[hook], hook).toBeUndefined();
  });

  it('publishes updates to a generic (self-hosted) server over HTTPS', async () => {
    const config = await getConfig(ROOT, null, null);
    expect(config.publish).toMatchObject({ provider: 'generic' });
    expect((config.publish as { url: string }).url).toMatch(/^https:\/\//);
  });
});

describe('whyNotPackaged (the rule the package listing is checked against)', () => {
  it('refuses the simulators, tests, sources and metafiles, and lets the app through', () => {
    for (const path of ['sim/cli/kassa.ts', 'sim/devices/scanner.js', 'test/support/headless.ts', 'main/electron/main.ts', 'vse/main.ts', 'dist/app/main.cjs.meta.json', 'dist/test-app-1/main.cjs', 'node_modules/pino/lib/x.test.js', 'node_modules/node-hid/src/HID.cc']) {
      expect(whyNotPackaged(path), path).toBeDefined();
    }
    expect(whyNotPackaged('sim/x.js')).toMatch(/simulators/);
    for (const path of ['package.json', 'dist/app/main.cjs', 'dist/app/vse.cjs', 'dist/renderer/index.html', 'node_modules/pino/pino.js']) {
      expect(whyNotPackaged(path), path).toBeUndefined();
    }
  });
});

/** The lock path (`node_modules/a/node_modules/@s/b`) of the package a packaged file belongs to. */
function packageOf(path: string): string | undefined {
  return /^(?:node_modules\/(?:@[^/]+\/)?[^/]+\/)*node_modules\/(?:@[^/]+\/)?[^/]+/.exec(path)?.[0];
}

describe('the packaged app (a real electron-builder build around a stand-in Electron binary)', () => {
  const tempFolder = tempFolders();
  let packaged: PackagedApp;
  let files: PackagedFile[];

  beforeAll(async () => {
    packaged = await packageApp(tempFolder('kassa-package-'));
    files = listPackagedFiles(packaged.resources);
  }, 300_000);

  it('flips the fuse wire in the binary exactly as configured', async () => {
    const wire = await getCurrentFuseWire(packaged.binary);
    for (const option of FUSE_OPTIONS) {
      // @electron/fuses' FuseState: the wire holds ASCII '1' (enabled) or '0' (disabled).
      const wanted = (FUSES[fuseKey(option) as keyof typeof FUSES] ? '1' : '0').charCodeAt(0);
      expect(wire[FuseV1Options[option as keyof typeof FuseV1Options]], option).toBe(wanted);
    }
  });

  it('holds the three bundles, the VSE entry beside main.cjs, the renderer, and a package.json pointing at main.cjs', () => {
    const paths = files.map((file) => file.path);
    expect(paths).toEqual(expect.arrayContaining(['package.json', 'dist/app/main.cjs', 'dist/app/preload.cjs', 'dist/app/vse.cjs', 'dist/renderer/index.html', 'dist/renderer/display.html']));
    // main.ts forks join(its own folder, 'vse.cjs'): inside the asar, where integrity covers it.
    expect(files.find((file) => file.path === 'dist/app/vse.cjs')?.unpacked).toBe(false);
    const pkg = JSON.parse(extractFile(join(packaged.resources, 'app.asar'), 'package.json').toString('utf8')) as { main: string; devDependencies?: unknown; scripts?: unknown };
    expect(pkg.main).toBe('dist/app/main.cjs');
  });

  it('leaves out the simulators, tests, sources and build records', () => {
    const refused = files.map((file) => ({ path: file.path, why: whyNotPackaged(file.path) })).filter((file) => file.why !== undefined);
    expect(refused).toEqual([]);
    expect(files.some((file) => file.path.startsWith('sim/'))).toBe(false);
  });

  it('carries exactly the packages the bundles load at run time (and what they depend on)', () => {
    // electron-builder lays node_modules out its own way (it hoists differently from npm), so
    // packages are compared as name@version, each read from its packaged package.json.
    const asar = join(packaged.resources, 'app.asar');
    const roots = new Set(files.map((file) => packageOf(file.path)).filter((path): path is string => path !== undefined));
    const inPackage = new Set(
      [...roots].map((root) => {
        const pkg = JSON.parse(extractFile(asar, `${root}/package.json`).toString('utf8')) as { name: string; version: string };
        return `${pkg.name}@${pkg.version}`;
      }),
    );
    const lock = readLockPackages();
    const wanted = new Set(
      runtimeClosure(RUNTIME_ROOTS, lock)
        .map((path) => ({ name: path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), version: lock[path]!.version! }))
        .filter((entry) => !BUILD_TIME_ONLY.includes(entry.name))
        .map((entry) => `${entry.name}@${entry.version}`),
    );
    expect([...inPackage].sort()).toEqual([...wanted].sort());
  });

  it('keeps every .node file outside the asar, for Linux only, present on disk', () => {
    const addons = files.filter((file) => file.path.endsWith('.node'));
    expect(addons.length).toBeGreaterThan(0);
    for (const addon of addons) {
      expect(addon.unpacked, addon.path).toBe(true);
      expect(addon.path, 'a prebuild for another OS').not.toMatch(/(darwin|win32|android)/);
      expect(existsSync(join(packaged.resources, 'app.asar.unpacked', addon.path)), addon.path).toBe(true);
    }
    // One SQLite, one serial port and one HID binary for this machine's platform at least.
    for (const name of ['better-sqlite3-multiple-ciphers', '@serialport/bindings-cpp', 'node-hid']) {
      expect(addons.some((addon) => addon.path.startsWith(`node_modules/${name}/`) && /x64/.test(addon.path)), name).toBe(true);
    }
  });

  it('ships the update feed, the udev rules and the kiosk units as resources', () => {
    const feed = readFileSync(join(packaged.resources, 'app-update.yml'), 'utf8');
    expect(feed).toMatch(/^provider: generic$/m);
    // The app reads the server from it (main.ts), and takes the placeholder for "no server".
    expect(feedOf(feed)).toBe('https://updates.kassa.invalid/kassa/');
    expect(usableFeed(feedOf(feed))).toBe(false);
    expect(existsSync(join(packaged.resources, 'udev', '70-kassa-devices.rules'))).toBe(true);
    expect(existsSync(join(packaged.resources, 'kiosk', 'kassa-kiosk.service'))).toBe(true);
    // The unit runs the session script from there: it must stay executable.
    expect(statSync(join(packaged.resources, 'kiosk', 'kassa-kiosk.sh')).mode & 0o111).toBe(0o111);
  });
});
