/** base45 (RFC 9285) through @digitalbazaar/base45, with the input checks OIP/1 §3 needs. */
import { decode, encode } from '@digitalbazaar/base45';
import { MalformedError } from './errors.ts';

const ALPHABET = /^[0-9A-Z $%*+\-./:]*$/;

export function base45Encode(bytes: Uint8Array): string {
  // The library reads through a DataView of `input.buffer` from offset 0, so a view into a
  // larger buffer (a subarray, a Node Buffer from the pool) must be copied first.
  return encode(bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice());
}

/** Decodes base45; a character outside the alphabet, a length of 1 mod 3 or a triple above 65535 is `MALFORMED`. */
export function base45Decode(text: string): Uint8Array {
  // Checked here first: the library maps characters above U+00FF to undefined and would decode them as zero.
  if (!ALPHABET.test(text)) throw new MalformedError('character outside the base45 alphabet');
  if (text.length % 3 === 1) throw new MalformedError('base45 length is 1 modulo 3');
  try {
    return decode(text);
  } catch (error) {
    throw new MalformedError(`invalid base45 (${error instanceof Error ? error.message : String(error)})`, '', { cause: error });
  }
}
