/**
 * The terminal's P-256 key: generated inside the VSE on first start, kept as PKCS#8 in the
 * encrypted database (docs/vse.md, "Keys"), loaded into a node:crypto KeyObject that never
 * leaves this process. Only the public key is ever handed out.
 */
import { type Es256Signer } from '../../protocol/index.ts';
import { exportPrivateKey, generateP256PrivateKey, importPrivateKey, nodeSigner } from '../../base/node/node-es256.ts';
import type { SqliteDatabase } from '../store/database.ts';

/** The stored key, or undefined on a fresh database. */
export function loadTerminalKey(db: SqliteDatabase): Es256Signer | undefined {
  const row = db.prepare<[], { private_key: Buffer }>('SELECT private_key FROM terminal_key WHERE id = 1').get();
  return row === undefined ? undefined : nodeSigner(importPrivateKey(row.private_key));
}

/** Generates and stores a new key; the caller runs this inside its transaction. */
export function createTerminalKey(db: SqliteDatabase, now: number): Es256Signer {
  const key = generateP256PrivateKey();
  const signer = nodeSigner(key);
  db.prepare<[privateKey: Uint8Array, publicKey: Uint8Array, createdAt: number]>('INSERT INTO terminal_key (id, private_key, public_key, created_at) VALUES (1, ?, ?, ?)').run(exportPrivateKey(key), signer.publicKey, now);
  return signer;
}
