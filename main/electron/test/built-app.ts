/**
 * The Electron app's bundles built for a test, into a folder of the test's own under dist/
 * (inside the repository, so the bundles find node_modules as they do in dist/app).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { buildApp, ROOT, type BuiltBundle } from '../../../scripts/build-app.ts';

export interface BuiltApp {
  dir: string;
  bundles: BuiltBundle[];
  bundle(name: BuiltBundle['name']): BuiltBundle;
}

/** Call at the top of a test file: builds once before its tests, removes the folder after. */
export function builtAppForTests(): BuiltApp {
  const dir = join(ROOT, 'dist', `test-app-${process.pid}-${randomBytes(4).toString('hex')}`);
  const built: BuiltApp = {
    dir,
    bundles: [],
    bundle(name) {
      const found = built.bundles.find((bundle) => bundle.name === name);
      if (found === undefined) throw new Error(`no ${name} bundle was built`);
      return found;
    },
  };
  beforeAll(async () => {
    built.bundles = await buildApp(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return built;
}
