import Database from 'better-sqlite3-multiple-ciphers';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
const dir = mkdtempSync('/work/main/.bench-tmp-');
function setup(cipher: string | null) {
  const db = new Database(`${dir}/${cipher ?? 'plain'}.db`);
  if (cipher) { db.pragma(`cipher = '${cipher}'`); if (cipher === 'sqlcipher') db.pragma('legacy = 4'); db.pragma(`key = "x'${randomBytes(32).toString('hex')}'"`); }
  db.pragma('journal_mode = WAL'); db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE u (id INTEGER PRIMARY KEY, a BLOB UNIQUE, b BLOB, c INTEGER, d INTEGER, e BLOB)'); db.exec('CREATE INDEX u1 ON u(b,c)'); db.exec('CREATE INDEX u2 ON u(d)');
  db.exec('CREATE TABLE v (k BLOB PRIMARY KEY, x) WITHOUT ROWID'); db.exec('CREATE TABLE w (k TEXT PRIMARY KEY, n INTEGER)'); db.exec('CREATE TABLE z (seq INTEGER PRIMARY KEY, body BLOB, h BLOB)');
  return db;
}
const row = randomBytes(320);
for (const cipher of ['sqlcipher', 'chacha20', 'aes256cbc', null, 'sqlcipher', 'chacha20', null]) {
  const db = setup(cipher);
  const iu = db.prepare('INSERT INTO u (a,b,c,d,e) VALUES (?,?,?,?,?)'), iv = db.prepare('INSERT OR REPLACE INTO v VALUES (?, ?)'), iw = db.prepare('INSERT INTO w VALUES (?, 1) ON CONFLICT(k) DO UPDATE SET n = n + 1'), iz = db.prepare('INSERT INTO z (body, h) VALUES (?, ?)');
  let c = 0; const ts: number[] = []; const cpu: number[] = [];
  for (let i = 0; i < 3000; i++) { const s = performance.now(); const u0 = process.cpuUsage(); db.transaction(() => { c++; iu.run(randomBytes(32), randomBytes(16), c, c, row); iv.run(randomBytes(16), c); iw.run('SEK'); iz.run(randomBytes(100), randomBytes(32)); })(); const u1 = process.cpuUsage(u0); if (i > 200) { ts.push(performance.now() - s); cpu.push((u1.user + u1.system) / 1000); } }
  ts.sort((a, b) => a - b); cpu.sort((a,b)=>a-b);
  console.log(String(cipher).padEnd(10), 'p50', ts[ts.length >> 1].toFixed(3), 'p99', ts[Math.floor(ts.length * .99)].toFixed(3), 'cpu p50', cpu[cpu.length>>1].toFixed(3));
  db.close();
}
rmSync(dir, { recursive: true });
