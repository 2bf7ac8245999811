// When `kassa demo` (and the UI benchmarks) rebuild the renderer: dist/renderer missing, or older
// than a source file it is built from; a changed test file does not count.
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { rendererBuildNeeded } from './renderer-build.ts';

describe('the renderer build check', () => {
  let root: string;
  const at = (path: string, seconds: number) => {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), '');
    utimesSync(join(root, path), seconds, seconds);
  };
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'kassa-renderer-build-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds when dist/renderer has no index.html', () => {
    at('renderer/app/App.tsx', 1_000);
    expect(rendererBuildNeeded(root)).toMatch(/dist\/renderer\/index\.html does not exist/);
  });

  it('builds when a source under renderer/, main/contract/, protocol/ or base/common/ is newer than the build', () => {
    at('dist/renderer/index.html', 2_000);
    at('renderer/app/App.tsx', 1_000);
    at('protocol/errors.ts', 1_500);
    expect(rendererBuildNeeded(root)).toBeUndefined();
    at('main/contract/schemas.ts', 2_500);
    expect(rendererBuildNeeded(root)).toBe('main/contract/schemas.ts changed after the last build');
    at('dist/renderer/index.html', 3_000);
    at('base/common/emitter.ts', 3_500);
    expect(rendererBuildNeeded(root)).toBe('base/common/emitter.ts changed after the last build');
  });

  it('does not build for a changed test file or for files outside the renderer\'s sources', () => {
    at('dist/renderer/index.html', 2_000);
    at('renderer/app/money.test.ts', 5_000);
    at('main/headless/server.ts', 5_000);
    expect(rendererBuildNeeded(root)).toBeUndefined();
  });
});
