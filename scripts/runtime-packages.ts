/**
 * The npm packages the packaged Electron app loads at run time: the packages the bundles keep
 * external (scripts/build-app.ts), and everything those depend on, as npm installed them
 * (package-lock.json's tree, resolved the way Node resolves a require). Everything else of the
 * production dependencies is already inside a bundle, and electron-builder.yml leaves it out;
 * test/packaging.test.ts compares the packaged node_modules with this list.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN_EXTERNAL, ROOT, VSE_EXTERNAL } from './build-app.ts';

interface LockEntry {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  dev?: boolean;
}
export type LockPackages = Record<string, LockEntry>;

export function readLockPackages(root: string = ROOT): LockPackages {
  return (JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: LockPackages }).packages;
}

/** Where `name` resolves from the package installed at `from` (a lock path, '' for the app): Node's node_modules walk. */
function resolveIn(packages: LockPackages, from: string, name: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = `${dir === '' ? '' : `${dir}/`}node_modules/${name}`;
    if (packages[candidate] !== undefined) return candidate;
    if (dir === '') return undefined;
    const parent = dir.lastIndexOf('/node_modules/');
    dir = parent < 0 ? '' : dir.slice(0, parent);
  }
}

/**
 * The lock paths (`node_modules/a`, `node_modules/a/node_modules/b`) of `roots` and all they
 * depend on. A dependency npm did not install (an optional one for another platform) is skipped.
 */
export function runtimeClosure(roots: readonly string[], packages: LockPackages = readLockPackages()): string[] {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const root of roots) {
    const path = resolveIn(packages, '', root);
    if (path === undefined) throw new Error(`${root} is not installed (package-lock.json has no node_modules/${root})`);
    queue.push(path);
  }
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const entry = packages[path]!;
    for (const name of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const resolved = resolveIn(packages, path, name);
      if (resolved !== undefined) queue.push(resolved);
    }
  }
  return [...seen].sort();
}

/** Dependencies of the addons used only to compile them (C++ headers): nothing requires them at run time. */
export const BUILD_TIME_ONLY: readonly string[] = ['node-addon-api'];

/** The packages the bundles require at run time (electron is the runtime itself; `@serialport/*` comes with serialport). */
export const RUNTIME_ROOTS: readonly string[] = [...new Set([...MAIN_EXTERNAL, ...VSE_EXTERNAL])].filter((name) => name !== 'electron' && !name.includes('*')).sort();
