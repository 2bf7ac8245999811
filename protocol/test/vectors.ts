/**
 * The COSE working group's ES256 examples in ../shared/vectors (read in place, never copied).
 * Keys come as JWK coordinates; they are turned into the 33-byte compressed points OIP/1 uses.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compressPublicKey, concatBytes, fromHex } from '../index.ts';

/** ../shared beside the repository, or wherever KASSA_SHARED_DIR points. */
export const SHARED_DIR = process.env.KASSA_SHARED_DIR ?? new URL('../../../shared/', import.meta.url).pathname;
export const VECTORS_DIR = join(SHARED_DIR, 'vectors');

/**
 * Whether the third-party vectors are here. They live beside the repository, not in it, so a
 * clone on its own runs without them: the tests that need them are skipped with this reason.
 */
export const VECTORS_PRESENT = existsSync(join(VECTORS_DIR, 'cose-sign1'));
export const VECTORS_SKIP_REASON = `third-party COSE vectors not found at ${VECTORS_DIR} (../shared/vectors beside the repository, or set KASSA_SHARED_DIR): their tests are skipped`;
if (!VECTORS_PRESENT) console.warn(`SKIPPED: ${VECTORS_SKIP_REASON}`);

/** A vector's key: JWK coordinates (base64url), or the hex coordinates CWT examples use. */
interface VectorKey {
  x?: string;
  y?: string;
  x_hex?: string;
  y_hex?: string;
}

function coordinates(key: VectorKey): [Uint8Array, Uint8Array] {
  if (key.x_hex !== undefined && key.y_hex !== undefined) return [hex(key.x_hex), hex(key.y_hex)];
  if (key.x !== undefined && key.y !== undefined) return [b64url(key.x), b64url(key.y)];
  throw new Error('vector key has no coordinates');
}

export interface CoseVector {
  file: string;
  title: string;
  /** true for sign-fail-* vectors. */
  fail: boolean;
  publicKey: Uint8Array;
  bytes: Uint8Array;
  toBeSigned: Uint8Array | undefined;
  externalAad: Uint8Array;
  json: Record<string, unknown>;
}

function b64url(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'base64url'));
}

function hex(text: string): Uint8Array {
  const bytes = fromHex(text);
  if (bytes === undefined) throw new Error(`bad hex in vector: ${text}`);
  return bytes;
}

/** The vectors of one folder; none when the vectors are absent (see VECTORS_PRESENT). */
export function loadVectors(folder: string): CoseVector[] {
  const dir = join(VECTORS_DIR, folder);
  if (!VECTORS_PRESENT) return [];
  if (!existsSync(dir)) throw new Error(`COSE test vectors not found at ${dir}, though ${VECTORS_DIR} exists`);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const json = JSON.parse(readFileSync(join(dir, file), 'utf8'));
      const signer = json.input.sign0 ?? json.input.sign.signers[0];
      const publicKey = compressPublicKey(concatBytes(Uint8Array.of(0x04), ...coordinates(signer.key as VectorKey)));
      if (publicKey === undefined) throw new Error(`${file}: key is not a P-256 point`);
      const intermediates = json.intermediates ?? {};
      const toBeSigned = intermediates.ToBeSign_hex ?? intermediates.signers?.[0]?.ToBeSign_hex;
      return {
        file,
        title: String(json.title),
        fail: json.fail === true,
        publicKey,
        bytes: hex(json.output.cbor),
        toBeSigned: toBeSigned === undefined ? undefined : hex(toBeSigned),
        externalAad: signer.external ? hex(signer.external) : new Uint8Array(),
        json,
      };
    });
}
