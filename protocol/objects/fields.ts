/**
 * Leaf schemas of OIP/1 fields (§1, §2) and the `cborMap` codec that turns a CBOR map with
 * small integer keys into a named, validated object and back. Every object type of the
 * protocol is declared with these, once, in `objects/types.ts`.
 */
import * as z from 'zod';
import { PUBLIC_KEY_LENGTH, KID_LENGTH } from '../crypto/es256.ts';

/**
 * Unsigned integers are limited to JavaScript's safe range (2^53 − 1): amounts, times and
 * counters far beyond any real use, and exact arithmetic everywhere (Kassa's protocol
 * document, "Integers"). A larger CBOR uint decodes as a bigint and is refused here.
 */
export const uint = z.int().min(0, 'must be an unsigned integer');
/** Seconds since the Unix epoch, UTC. */
export const time = uint;
/** Minor units (cents, öre); zero and negative amounts are malformed (§1). */
export const amount = z.int().min(1, 'amount must be greater than zero');
/** ISO 4217 alphabetic code: three upper-case ASCII letters (§1). */
export const currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be 3 upper-case ASCII letters');

export function bstr(min: number, max = min) {
  const size = min === max ? `${min}` : `${min}..${max}`;
  // z.custom, not z.instanceof: the latter types the value as Uint8Array<ArrayBuffer>, narrower
  // than the Uint8Array views that decoders and node:crypto hand out.
  return z
    .custom<Uint8Array>((value) => value instanceof Uint8Array, { message: 'expected a byte string' })
    .refine((bytes) => bytes.length >= min && bytes.length <= max, `byte string must be ${size} bytes long`);
}

/**
 * A text string of `min`..`max` characters, counted as Unicode code points so that a
 * merchant name in any script gets the same room (protocol document, "Text lengths").
 */
export function tstr(min: number, max: number) {
  return z.string().refine((text) => {
    const length = [...text].length;
    return length >= min && length <= max;
  }, `text must be ${min}..${max} characters long`);
}

/** SEC1 compressed P-256 point. Whether it lies on the curve is left to signature checks. */
export const publicKey = bstr(PUBLIC_KEY_LENGTH).refine(
  (bytes) => bytes[0] === 0x02 || bytes[0] === 0x03,
  'public key must be a compressed SEC1 point (0x02/0x03 prefix)',
);
export const kid = bstr(KID_LENGTH);
/** reservation_id and request_id: random, 8..16 bytes (§2.2, §2.4). */
export const identifier = bstr(8, 16);

type FieldTable = Record<string, readonly [key: number, schema: z.ZodType]>;
type ShapeOf<F extends FieldTable> = { -readonly [K in keyof F]: F[K][1] };

/**
 * A codec between a CBOR map with small unsigned integer keys and a named object.
 * Decoding refuses non-map input, unknown keys and, where `type` is given, a key 0 that is
 * absent or names another type; the object schema then refuses missing fields and bad values.
 */
export function cborMap<const F extends FieldTable>(
  fields: F,
  options: { type?: number; refine?: (value: z.output<z.ZodObject<ShapeOf<F>, z.core.$strict>>) => string | undefined } = {},
) {
  const { type, refine } = options;
  const names = new Map<number, string>();
  const shape: Record<string, z.ZodType> = {};
  for (const [name, [key, schema]] of Object.entries(fields)) {
    names.set(key, name);
    shape[name] = schema;
  }
  const object = z.strictObject(shape as ShapeOf<F>).superRefine((value, context) => {
    const problem = refine?.(value);
    if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: value });
  });
  return z.codec(z.instanceof(Map, { message: 'expected a map' }), object, {
    decode(map, payload) {
      const out: Record<string, unknown> = {};
      if (type !== undefined && map.get(0) !== type) {
        payload.issues.push({ code: 'custom', input: map, message: `object type (key 0) must be ${type}` });
        return z.NEVER;
      }
      for (const [key, value] of map) {
        if (type !== undefined && key === 0) continue;
        const name = typeof key === 'number' ? names.get(key) : undefined;
        if (name === undefined) {
          payload.issues.push({ code: 'custom', input: map, message: `unknown map key ${describeKey(key)}` });
          return z.NEVER;
        }
        out[name] = value;
      }
      return out as z.input<typeof object>;
    },
    encode(value) {
      const map = new Map<number, unknown>();
      if (type !== undefined) map.set(0, type);
      for (const [name, [key]] of Object.entries(fields)) {
        const field = (value as Record<string, unknown>)[name];
        if (field !== undefined) map.set(key, field);
      }
      return map;
    },
  });
}

function describeKey(key: unknown): string {
  if (typeof key === 'number' || typeof key === 'bigint') return String(key);
  if (typeof key === 'string') return JSON.stringify(key);
  return `of type ${key instanceof Uint8Array ? 'bstr' : typeof key}`;
}
