// A VSE's WAL keeps the blocks it grew to: after a checkpoint the next commits write over them
// from the start of the file instead of SQLite truncating it (fsyncs of a growing file also
// commit its size to the filesystem journal; docs/vse.md, "Crash safety").
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, WAL_SIZE_LIMIT_BYTES } from '../vse.ts';
import { dispose, freshEnrolledVse } from '../../test/support/vse.ts';

const MB = 1024 * 1024;

describe('the WAL after a checkpoint', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('is written over from its start, not truncated, up to the size the VSE allows it', () => {
    const { data, t } = freshEnrolledVse();
    cleanup = () => dispose(t, data);
    const wal = join(data.dir, `${DATABASE_FILE}-wal`);
    const db = t.vse.db;
    // Grow the WAL past 8 MB (SQLite's truncation point before) with one large transaction.
    db.exec('CREATE TABLE filler (bytes BLOB)');
    const insert = db.prepare('INSERT INTO filler VALUES (randomblob(4000))');
    db.transaction(() => {
      for (let i = 0; i < 3_000; i++) insert.run();
    })();
    const grown = statSync(wal).size;
    expect(grown).toBeGreaterThan(10 * MB);
    expect(grown).toBeLessThan(WAL_SIZE_LIMIT_BYTES);

    t.vse.checkpointWhenIdle();
    db.exec('DELETE FROM filler WHERE rowid = 1'); // the first commit after it restarts the WAL
    expect(statSync(wal).size).toBe(grown);
    // …from the start: the restarted WAL holds only that commit's frames, not 12 MB of them.
    const frames = db.pragma('wal_checkpoint(PASSIVE)', { simple: false }) as { log: number }[];
    expect(frames[0]!.log).toBeLessThan(50);
  });
});
