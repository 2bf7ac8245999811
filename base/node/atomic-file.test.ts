// Durable file writes: whole or not at all, 0600, and nothing left beside them on failure.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFolders } from '../../test/support/temp.ts';
import { createFileAtomic, writeFileAtomic } from './atomic-file.ts';

const tempFolder = tempFolders();

describe('atomic files', () => {
  it('replaces a file with mode 0600 and leaves no temporary file', () => {
    const folder = tempFolder('kassa-atomic-');
    const path = join(folder, 'config.json');
    writeFileAtomic(path, 'one');
    writeFileAtomic(path, 'two');
    expect([readFileSync(path, 'utf8'), statSync(path).mode & 0o777, readdirSync(folder)]).toEqual(['two', 0o600, ['config.json']]);
  });

  it('creates a file only where none exists (EEXIST), and never leaves a temporary file', () => {
    const folder = tempFolder('kassa-atomic-');
    const path = join(folder, 'database.key');
    createFileAtomic(path, 'first');
    expect(() => createFileAtomic(path, 'second')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect([readFileSync(path, 'utf8'), statSync(path).mode & 0o777, readdirSync(folder)]).toEqual(['first', 0o600, ['database.key']]);
  });

  it('removes its temporary file when the replacement cannot be put in place', () => {
    const folder = tempFolder('kassa-atomic-');
    const path = join(folder, 'status.json');
    mkdirSync(path); // a folder where the file should go: rename(2) refuses
    writeFileSync(join(path, 'inside'), 'kept');
    expect(() => writeFileAtomic(path, 'new')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(readdirSync(folder)).toEqual(['status.json']);
    expect(readFileSync(join(path, 'inside'), 'utf8')).toBe('kept');
  });
});
