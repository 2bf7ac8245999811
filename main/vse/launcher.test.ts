// Which VSE `kassa serve` starts: the bundle only while it is newer than every source it was built from.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { vseEntry } from './launcher.ts';

const tempFolder = tempFolders();

describe('vseEntry', () => {
  it('takes the bundle when it is fresh, the source when the bundle is missing or any source is newer', () => {
    const root = tempFolder('kassa-entry-');
    const sources = ['vse', 'protocol'].map((name) => join(root, name));
    for (const folder of sources) mkdirSync(join(folder, 'deep'), { recursive: true });
    const deepFile = join(sources[1]!, 'deep', 'cbor.ts');
    writeFileSync(join(sources[0]!, 'main.ts'), '');
    writeFileSync(deepFile, '');
    writeFileSync(join(sources[0]!, 'notes.md'), '');
    const where = { bundle: join(root, 'vse.cjs'), sources, source: join(sources[0]!, 'main.ts') };
    const at = (path: string, seconds: number) => utimesSync(path, seconds, seconds);

    expect(vseEntry(where)).toBe(where.source); // no bundle yet
    writeFileSync(where.bundle, '');
    at(join(sources[0]!, 'main.ts'), 1_000);
    at(deepFile, 1_000);
    at(where.bundle, 2_000);
    expect(vseEntry(where)).toBe(where.bundle);
    at(join(sources[0]!, 'notes.md'), 3_000); // not a source
    expect(vseEntry(where)).toBe(where.bundle);
    at(deepFile, 3_000); // an edited source, however deep
    expect(vseEntry(where)).toBe(where.source);
  });
});
