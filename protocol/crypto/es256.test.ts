// node:crypto (the VSE's ES256) and @noble/curves (the browser's) must agree on every input:
// the COSE working group's vectors, random signatures both ways, high-S, broken keys.
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCoseSign1, generateSecretKey, keyId, nobleSigner, nobleVerify, toBeSigned, toHex } from '../index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../base/node/node-es256.ts';
import { loadVectors, VECTORS_PRESENT } from '../test/vectors.ts';

/** Order of the P-256 group. */
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

function withHighS(signature: Uint8Array): Uint8Array {
  const s = BigInt(`0x${toHex(signature.slice(32))}`);
  const flipped = (N - s).toString(16).padStart(64, '0');
  return Uint8Array.from([...signature.slice(0, 32), ...Buffer.from(flipped, 'hex')]);
}

describe.skipIf(!VECTORS_PRESENT)('ES256: node:crypto and @noble/curves agree on the COSE WG vectors', () => {
  const vectors = [...loadVectors('cose-sign1'), ...loadVectors('cose-more')].filter((v) => !v.file.includes('ecdsa-01.json'));

  it.each(vectors.map((v) => [v.file, v] as const))('%s: same verdict on the vector signature', (_file, vector) => {
    let message;
    try {
      message = decodeCoseSign1(vector.bytes);
    } catch {
      return expect(vector.fail).toBe(true); // not a COSE_Sign1 at all (sign-fail-01): nothing to verify
    }
    const data = toBeSigned(message, vector.externalAad);
    const verdicts = [nodeVerify, nobleVerify].map((verify) => verify(vector.publicKey, data, message.signature));
    expect(verdicts[0]).toBe(verdicts[1]);
    // Pass vectors verify; for fail vectors only the agreement matters here.
    if (!vector.fail) expect(verdicts[0]).toBe(true);
  });
});

describe('ES256: node:crypto and @noble/curves agree', () => {

  it('each verifies what the other signs, and neither accepts a changed message', () => {
    const noble = nobleSigner(generateSecretKey());
    const node = nodeSigner(generateP256PrivateKey());
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (data, flip) => {
        for (const signer of [noble, node]) {
          const signature = signer.sign(data);
          expect(signature.length).toBe(64);
          expect(nodeVerify(signer.publicKey, data, signature)).toBe(true);
          expect(nobleVerify(signer.publicKey, data, signature)).toBe(true);
          const changed = Uint8Array.from([...data, 0]);
          changed[flip % changed.length]! ^= 1 << (flip % 8);
          expect(nodeVerify(signer.publicKey, changed, signature)).toBe(false);
          expect(nobleVerify(signer.publicKey, changed, signature)).toBe(false);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('both accept high-S signatures (OIP/1 §1)', () => {
    const signer = nobleSigner(generateSecretKey());
    const data = new TextEncoder().encode('malleable');
    const signature = signer.sign(data);
    const high = withHighS(signature);
    expect(toHex(high)).not.toBe(toHex(signature));
    expect(nodeVerify(signer.publicKey, data, high)).toBe(true);
    expect(nobleVerify(signer.publicKey, data, high)).toBe(true);
  });

  it('both answer false, without throwing, for keys and signatures that are not what they claim', () => {
    const signer = nodeSigner(generateP256PrivateKey());
    const data = Uint8Array.of(1, 2, 3);
    const signature = signer.sign(data);
    const notOnCurve = Uint8Array.from([0x02, ...new Uint8Array(32).fill(0xff)]);
    const cases: Array<[Uint8Array, Uint8Array]> = [
      [notOnCurve, signature],
      [signer.publicKey.slice(0, 32), signature],
      [signer.publicKey, signature.slice(0, 63)],
      [signer.publicKey, new Uint8Array(64)], // r = s = 0
      [signer.publicKey, new Uint8Array(64).fill(0xff)], // r, s ≥ n
    ];
    for (const [key, sig] of cases) {
      expect(nodeVerify(key, data, sig)).toBe(false);
      expect(nobleVerify(key, data, sig)).toBe(false);
    }
  });

  it('kid is the first 8 bytes of SHA-256 over the compressed key', () => {
    const { publicKey } = nodeSigner(generateP256PrivateKey());
    expect(publicKey.length).toBe(33);
    expect(toHex(keyId(publicKey))).toBe(createHash('sha256').update(publicKey).digest('hex').slice(0, 16));
  });
});
