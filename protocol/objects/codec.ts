/** Decoding and encoding of OIP/1 objects through their schemas, with `MALFORMED` errors. */
import type * as z from 'zod';
import { decodeStrict, encodeDeterministic, type CborValue } from '../cbor.ts';
import { MalformedError } from '../errors.ts';

/** Validates an already-decoded CBOR value against `schema`; throws `MalformedError`. */
export function fromCbor<S extends z.ZodType>(schema: S, value: CborValue, path = ''): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
  const location = `${path}${where}`.replace(/^\./, '');
  throw new MalformedError(issue?.message ?? 'invalid value', location);
}

/** Decodes deterministic CBOR `bytes` and validates them against `schema`. */
export function decodeObject<S extends z.ZodType>(schema: S, bytes: Uint8Array, path = ''): z.output<S> {
  return fromCbor(schema, decodeStrict(bytes, path), path);
}

/**
 * Validates `value` against `schema` and encodes it deterministically. A value that breaks
 * the schema is a caller's bug or bad input to a builder; it throws `MalformedError` too.
 */
export function encodeObject<S extends z.ZodType>(schema: S, value: z.output<S>, path = ''): Uint8Array {
  const result = schema.safeEncode(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new MalformedError(issue?.message ?? 'invalid value', [path, ...(issue?.path ?? []).map(String)].filter(Boolean).join('.'));
  }
  return encodeDeterministic(result.data);
}
