// The general COSE_Sign1 layer against the COSE working group's ES256 vectors, and what the
// OIP/1 profile says about each of them.
import { describe, expect, it } from 'vitest';
import {
  decodeCoseSign1,
  decodeProfileSign1,
  MalformedError,
  nobleSigner,
  nobleVerify,
  generateSecretKey,
  signCoseSign1,
  toBeSigned,
  toHex,
  verifyCoseSign1,
  verifyProfileSign1,
  HEADER,
  ES256,
  type CborValue,
} from '../index.ts';
import { nodeVerify } from '../../base/node/node-es256.ts';
import { loadVectors, VECTORS_PRESENT } from '../test/vectors.ts';

const sign1Vectors = loadVectors('cose-sign1');
const passVectors = sign1Vectors.filter((v) => v.file.startsWith('sign-pass-'));
const failVectors = sign1Vectors.filter((v) => v.file.startsWith('sign-fail-'));
const moreVectors = loadVectors('cose-more');

describe.skipIf(!VECTORS_PRESENT)('COSE_Sign1, general layer (RFC 9052): the COSE WG vectors', () => {
  it('finds the vectors', () => {
    expect(passVectors.map((v) => v.file)).toEqual(['sign-pass-01.json', 'sign-pass-02.json', 'sign-pass-03.json']);
    expect(failVectors.length).toBe(6);
    expect(failVectors.every((v) => v.fail)).toBe(true);
  });

  it.each(passVectors.map((v) => [v.file, v] as const))('%s: verifies and reproduces its ToBeSigned bytes', (_file, vector) => {
    const message = decodeCoseSign1(vector.bytes);
    expect(toHex(toBeSigned(message, vector.externalAad))).toBe(toHex(vector.toBeSigned!));
    for (const verify of [nobleVerify, nodeVerify]) {
      expect(verifyCoseSign1(message, vector.publicKey, verify, { externalAad: vector.externalAad })).toEqual({ ok: true });
    }
  });

  it('sign-pass-02 needs its external AAD: without it the signature fails', () => {
    const vector = passVectors.find((v) => v.file === 'sign-pass-02.json')!;
    expect(vector.externalAad.length).toBeGreaterThan(0);
    expect(verifyCoseSign1(decodeCoseSign1(vector.bytes), vector.publicKey, nodeVerify)).toMatchObject({ ok: false, error: 'SIGNATURE_INVALID' });
  });

  const expectedFailure: Record<string, string> = {
    'sign-fail-01.json': 'MALFORMED', // tag 998 is not COSE_Sign1
    'sign-fail-02.json': 'SIGNATURE_INVALID', // payload changed after signing
    'sign-fail-03.json': 'UNSUPPORTED_ALGORITHM', // alg -999
    'sign-fail-04.json': 'UNSUPPORTED_ALGORITHM', // alg "unknown"
    'sign-fail-06.json': 'SIGNATURE_INVALID', // protected attribute added
    'sign-fail-07.json': 'SIGNATURE_INVALID', // protected attribute removed
  };

  it.each(failVectors.map((v) => [v.file, v] as const))('%s: is rejected', (file, vector) => {
    let outcome: string;
    try {
      const message = decodeCoseSign1(vector.bytes);
      const result = verifyCoseSign1(message, vector.publicKey, nodeVerify, { externalAad: vector.externalAad });
      outcome = result.ok ? 'ACCEPTED' : result.error;
    } catch (error) {
      expect(error).toBeInstanceOf(MalformedError);
      outcome = 'MALFORMED';
    }
    expect(outcome).toBe(expectedFailure[file]);
    // Its ToBeSigned is that of the message before the corruption: reproducible where the
    // corruption left the signed structure decodable.
    if (outcome === 'SIGNATURE_INVALID' && vector.file !== 'sign-fail-02.json') {
      expect(toHex(toBeSigned(decodeCoseSign1(vector.bytes)))).not.toBe(toHex(vector.toBeSigned!));
    }
  });

  it.each(moreVectors.filter((v) => v.json.output && !String(v.file).includes('ecdsa-01.json')).map((v) => [v.file, v] as const))(
    'cose-more/%s: single-signer ES256 example verifies',
    (_file, vector) => {
      const message = decodeCoseSign1(vector.bytes);
      expect(toHex(toBeSigned(message))).toBe(toHex(vector.toBeSigned!));
      expect(verifyCoseSign1(message, vector.publicKey, nodeVerify)).toEqual({ ok: true });
    },
  );

  it('cose-more/ecdsa-01 is a multi-signer COSE_Sign (tag 98), not a COSE_Sign1', () => {
    const vector = moreVectors.find((v) => v.file === 'ecdsa-examples_ecdsa-01.json')!;
    expect(() => decodeCoseSign1(vector.bytes)).toThrow(/tag 98 is not COSE_Sign1/);
  });
});

describe('COSE_Sign1, general layer (RFC 9052)', () => {
  it('signs what it verifies, tagged or not, with any protected header', () => {
    const signer = nobleSigner(generateSecretKey());
    const payload = new TextEncoder().encode('offline');
    for (const tagged of [true, false]) {
      const protectedHeader = new Map<CborValue, CborValue>([[HEADER.alg, ES256], [HEADER.contentType, 0]]);
      const bytes = signCoseSign1({ protectedHeader, unprotectedHeader: new Map([[HEADER.kid, new Uint8Array([1])]]), payload, signer, tagged });
      const message = decodeCoseSign1(bytes, { requireTag: tagged });
      expect(message.tagged).toBe(tagged);
      expect(verifyCoseSign1(message, signer.publicKey, nodeVerify)).toEqual({ ok: true });
    }
  });
});

describe.skipIf(!VECTORS_PRESENT)('COSE_Sign1, OIP/1 profile (§1) on the COSE WG vectors', () => {
  // What the profile says about each third-party vector: pass vectors that break its stricter
  // rules are MALFORMED (most carry their kid in the unprotected header, which the profile
  // refuses first); no vector carries OIP/1's exact header shape with a kid.
  const profileVerdicts: Record<string, RegExp | 'VALID'> = {
    'sign-pass-01.json': /unprotected header must be empty/, // alg only in the unprotected header
    'sign-pass-02.json': /unprotected header must be empty/, // kid in the unprotected header
    'sign-pass-03.json': /must be tagged/,
    'sign-fail-01.json': /tag 998/,
    'sign-fail-02.json': /unprotected header must be empty/,
    'sign-fail-03.json': /unprotected header must be empty/,
    'sign-fail-04.json': /unprotected header must be empty/,
    'sign-fail-06.json': /unprotected header must be empty/,
    'sign-fail-07.json': /unprotected header must be empty/,
    'CWT_A_3.json': 'VALID', // {1: -7} protected, {} unprotected, tagged: the profile's shape without kid
    'RFC8152_Appendix_C_2_1.json': /unprotected header must be empty/,
    'ecdsa-examples_ecdsa-01.json': /tag 98/,
    'ecdsa-examples_ecdsa-sig-01.json': /unprotected header must be empty/,
  };

  it.each([...sign1Vectors, ...moreVectors].map((v) => [v.file, v] as const))('%s', (file, vector) => {
    const verdict = profileVerdicts[file];
    expect(verdict).toBeDefined();
    if (verdict === 'VALID') {
      const sign1 = decodeProfileSign1(vector.bytes, 'forbidden');
      expect(verifyProfileSign1(sign1, vector.publicKey, nodeVerify)).toBe(true);
      // The same item where the profile wants a kid is malformed.
      expect(() => decodeProfileSign1(vector.bytes, 'required')).toThrow(/must carry a kid/);
    } else {
      for (const kid of ['required', 'forbidden'] as const) {
        expect(() => decodeProfileSign1(vector.bytes, kid)).toThrow(verdict);
        expect(() => decodeProfileSign1(vector.bytes, kid)).toThrow(MalformedError);
      }
    }
  });
});

describe('COSE_Sign1, OIP/1 profile rules one by one', () => {
  const signer = nobleSigner(generateSecretKey());
  const payload = Uint8Array.of(0xa1, 0x00, 0x05); // {0: 5}
  const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
  const sign = (protectedHeader: Array<[CborValue, CborValue]>, options: { unprotected?: Array<[CborValue, CborValue]>; tagged?: boolean } = {}) =>
    signCoseSign1({ protectedHeader: new Map(protectedHeader), unprotectedHeader: new Map(options.unprotected ?? []), payload, signer, tagged: options.tagged ?? true });

  it('accepts exactly {1: -7} without kid and {1: -7, 4: kid} with one', () => {
    const plain = decodeProfileSign1(sign([[HEADER.alg, ES256]]), 'forbidden');
    expect(verifyProfileSign1(plain, signer.publicKey, nodeVerify)).toBe(true);
    const withKid = decodeProfileSign1(sign([[HEADER.alg, ES256], [HEADER.kid, kid]]), 'required');
    expect(toHex(withKid.kid!)).toBe(toHex(kid));
    expect(verifyProfileSign1(withKid, signer.publicKey, nodeVerify)).toBe(true);
  });

  it.each([
    ['another algorithm (ES384)', sign([[HEADER.alg, -35]]), 'forbidden', /alg ES256/],
    ['no algorithm', sign([[HEADER.contentType, 0]]), 'forbidden', /alg ES256/],
    ['an extra protected parameter', sign([[HEADER.alg, ES256], [HEADER.contentType, 0]]), 'forbidden', /parameter 3 is not allowed/],
    ['a kid where none belongs', sign([[HEADER.alg, ES256], [HEADER.kid, kid]]), 'forbidden', /parameter 4 is not allowed/],
    ['no kid where one belongs', sign([[HEADER.alg, ES256]]), 'required', /must carry a kid/],
    ['a kid of 7 bytes', sign([[HEADER.alg, ES256], [HEADER.kid, kid.slice(1)]]), 'required', /kid must be 8 bytes/],
    ['a non-empty unprotected header', sign([[HEADER.alg, ES256]], { unprotected: [[HEADER.kid, kid]] }), 'forbidden', /unprotected header must be empty/],
    ['no tag', sign([[HEADER.alg, ES256]], { tagged: false }), 'forbidden', /must be tagged/],
  ] as const)('refuses %s as MALFORMED', (_what, bytes, kidRule, message) => {
    expect(() => decodeProfileSign1(bytes, kidRule)).toThrow(message);
    expect(() => decodeProfileSign1(bytes, kidRule)).toThrow(MalformedError);
  });

  it('refuses signatures of the wrong length and detached payloads', () => {
    const good = sign([[HEADER.alg, ES256]]);
    // d2 84 43 a10126 a0 43 a10005 5840 <64 bytes>: shorten the signature to 63 bytes.
    const short = Uint8Array.from([...good.slice(0, -66), 0x58, 0x3f, ...good.slice(-63)]);
    expect(() => decodeProfileSign1(short, 'forbidden')).toThrow(/signature must be 64 bytes/);
    const detached = Uint8Array.from([...good.slice(0, 7), 0xf6, ...good.slice(11)]);
    expect(() => decodeProfileSign1(detached, 'forbidden')).toThrow(/payload must not be detached/);
  });
});
