/**
 * CBOR for OIP/1 (§1): core deterministic encoding (RFC 8949 §4.2.1) and a strict decoder
 * that refuses anything whose bytes are not the deterministic encoding of what it decoded.
 *
 * cbor2 does the encoding and the lenient decoding, and decides every refusal of the strict
 * decoder; cborg, about twice as fast at decoding, decodes what the strict decoder accepts
 * (`decodeStrict`). This module fixes the options in one place and adds the decode → re-encode
 * → compare-bytes check the spec requires.
 */
import { cdeEncodeOptions, decode, defaultEncodeOptions, encode, Tag, TypeEncoderMap, type RequiredEncodeOptions, type Writer } from 'cbor2';
import { writeLength, writeUnknown } from 'cbor2/encoder';
import { decode as cborgDecode, type DecodeOptions as CborgDecodeOptions, type TagDecodeControl } from 'cborg';
import { bytesEqual, plainBytes } from './bytes.ts';
import { MalformedError } from './errors.ts';

export { Tag };

/** Nested arrays and maps deeper than this are refused: OIP/1 objects are at most 4 deep. */
const MAX_DEPTH = 16;

/**
 * cbor2 allocates a fresh output chunk of this many bytes for every encode, including one per
 * map key while it sorts keys; its 4096-byte default made allocation the largest cost of
 * verifying a payment (bench: qr-size, verify-bundle-node-crypto-us). OIP/1 items are small.
 */
const CHUNK_SIZE = 64;

const STRICT_DECODE = {
  preferMap: true, // integer map keys stay numbers (a plain object would turn them into strings)
  cde: true, // preferred integer/length forms and sorted map keys
  rejectStreaming: true, // definite lengths only
  rejectDuplicateKeys: true,
  rejectFloats: true,
  rejectUndefined: true,
  ignoreGlobalTags: true, // tags come back as Tag objects; callers accept only the tags they know
  maxDepth: MAX_DEPTH,
  chunkSize: CHUNK_SIZE,
} as const;

const LENIENT_DECODE = {
  preferMap: true,
  ignoreGlobalTags: true,
  maxDepth: MAX_DEPTH,
} as const;

const DETERMINISTIC_ENCODE = {
  cde: true,
  rejectFloats: true,
  rejectUndefined: true,
  ignoreOriginalEncoding: true,
  chunkSize: CHUNK_SIZE,
} as const;

/** A CBOR value as this library sees it after decoding. */
export type CborValue =
  | number
  | bigint
  | string
  | boolean
  | null
  | Uint8Array
  | CborValue[]
  | Map<CborValue, CborValue>
  | Tag;

/** Encodes `value` in core deterministic encoding. */
export function encodeDeterministic(value: unknown): Uint8Array {
  // What cbor2's `encode(value, DETERMINISTIC_ENCODE)` does, minus merging its ~30 options
  // twice per call (for itself and for its Writer), and into one output buffer kept between
  // calls: cbor2's Writer allocates a chunk and a DataView per 64 bytes written and one more
  // after reading. Allocation matters: garbage collection is much of an accept's slow tail.
  const writer = idleWriter ?? new ByteWriter();
  idleWriter = undefined;
  try {
    writeUnknown(withPlainBytes(value), writer as unknown as Writer, DETERMINISTIC_OPTIONS);
    return writer.take();
  } finally {
    writer.reset();
    idleWriter = writer;
  }
}

const BYTE_WRITER_START = 512;
const BYTE_WRITER_KEEP = 64 * 1024;

/**
 * The part of cbor2's `Writer` its encoders call, over one growing buffer that is copied out
 * once at the end. Kept between calls (`idleWriter`); an encode that runs while another is
 * under way (none does today) gets a fresh one.
 */
class ByteWriter {
  private buffer = new Uint8Array(BYTE_WRITER_START);
  private view = new DataView(this.buffer.buffer);
  length = 0;

  private room(bytes: number): number {
    const at = this.length;
    if (at + bytes > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, at + bytes));
      grown.set(this.buffer.subarray(0, at));
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = at + bytes;
    return at;
  }

  // room() may replace the buffer and view: call it before reading them.
  write(bytes: Uint8Array): void {
    const at = this.room(bytes.length);
    this.buffer.set(bytes, at);
  }
  writeUint8(value: number): void {
    const at = this.room(1);
    this.view.setUint8(at, value);
  }
  writeUint16(value: number, littleEndian = false): void {
    const at = this.room(2);
    this.view.setUint16(at, value, littleEndian);
  }
  writeUint32(value: number, littleEndian = false): void {
    const at = this.room(4);
    this.view.setUint32(at, value, littleEndian);
  }
  writeBigUint64(value: bigint, littleEndian = false): void {
    const at = this.room(8);
    this.view.setBigUint64(at, value, littleEndian);
  }
  writeInt16(value: number, littleEndian = false): void {
    const at = this.room(2);
    this.view.setInt16(at, value, littleEndian);
  }
  writeInt32(value: number, littleEndian = false): void {
    const at = this.room(4);
    this.view.setInt32(at, value, littleEndian);
  }
  writeBigInt64(value: bigint, littleEndian = false): void {
    const at = this.room(8);
    this.view.setBigInt64(at, value, littleEndian);
  }
  writeFloat32(value: number, littleEndian = false): void {
    const at = this.room(4);
    this.view.setFloat32(at, value, littleEndian);
  }
  writeFloat64(value: number, littleEndian = false): void {
    const at = this.room(8);
    this.view.setFloat64(at, value, littleEndian);
  }

  /** A copy of what was written. */
  take(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  reset(): void {
    this.length = 0;
    // A large encode (an audit export) leaves no large buffer behind.
    if (this.buffer.length > BYTE_WRITER_KEEP) {
      this.buffer = new Uint8Array(BYTE_WRITER_START);
      this.view = new DataView(this.buffer.buffer);
    }
  }
}

let idleWriter: ByteWriter | undefined = new ByteWriter();

/**
 * cbor2 picks an encoder by exact constructor, so a Uint8Array subclass (Node's Buffer) would
 * be encoded as a generic object: byte strings from Node callers are normalised here. Nothing
 * is copied unless a byte string inside needs it.
 */
function withPlainBytes(value: unknown): unknown {
  if (value instanceof Uint8Array) return plainBytes(value);
  if (Array.isArray(value)) return mapIfChanged(value, withPlainBytes);
  if (value instanceof Map) {
    const entries = [...value] as [unknown, unknown][];
    const plain = mapIfChanged(entries, (entry) => {
      const key = withPlainBytes(entry[0]);
      const item = withPlainBytes(entry[1]);
      return key === entry[0] && item === entry[1] ? entry : [key, item];
    });
    return plain === entries ? value : new Map(plain);
  }
  if (value instanceof Tag) {
    const contents = withPlainBytes(value.contents);
    return contents === value.contents ? value : new Tag(value.tag, contents);
  }
  return value;
}

/** `items.map(fn)`, or `items` itself when `fn` gave every item back unchanged. */
function mapIfChanged<T>(items: T[], fn: (item: T) => unknown): T[] {
  let out: T[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = fn(items[i]!);
    if (item !== items[i]) (out ??= items.slice())[i] = item as T;
  }
  return out ?? items;
}

const MAJOR_TYPE_MAP = 5;

/** Encoded forms of the integers −24…23, each a single byte: the map keys OIP/1 uses. */
const SMALL_INTEGERS = new Map<unknown, Uint8Array>(
  Array.from({ length: 48 }, (_, i) => [i - 24, Uint8Array.of(i < 24 ? 0x20 + (23 - i) : i - 24)]),
);

/**
 * Encoded forms of the text keys seen so far (audit-log field names and the like): a handful
 * of distinct short strings, encoded again for every map otherwise. Bounded, for safety.
 */
const TEXT_KEYS = new Map<string, Uint8Array>();
const TEXT_KEY_LIMIT = 1024;

function keyBytes(key: unknown, options: RequiredEncodeOptions): Uint8Array {
  const small = SMALL_INTEGERS.get(key);
  if (small !== undefined) return small;
  if (typeof key !== 'string' || key.length > 64) return encode(key, options);
  let bytes = TEXT_KEYS.get(key);
  if (bytes === undefined) {
    bytes = encode(key, options);
    if (TEXT_KEYS.size < TEXT_KEY_LIMIT) TEXT_KEYS.set(key, bytes);
  }
  return bytes;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Writes a map in core deterministic order (registered for Map in the options below). cbor2's
 * own map encoder runs a complete `encode()` — options merged, buffers allocated — for every
 * key just to sort the keys, which made map keys the largest cost of checking a payment. Small
 * integer keys come from a table here and short text keys from a cache; any other key is
 * encoded by cbor2 each time. The output is byte for byte cbor2's own (a property test
 * compares them).
 */
function writeDeterministicMap(map: Map<unknown, unknown>, writer: Writer, options: RequiredEncodeOptions): undefined {
  const entries: (readonly [Uint8Array, unknown])[] = [];
  map.forEach((value, key) => {
    // Insertion sort: OIP/1 maps have a handful of keys, often in order already, and this
    // allocates nothing beyond the entries (Array#sort's merge buffers showed in profiles).
    const entry = [keyBytes(key, options), value] as const;
    let at = entries.length;
    for (; at > 0; at--) {
      const order = compareBytes(entries[at - 1]![0], entry[0]);
      if (order === 0) throw new Error('duplicate map key');
      if (order < 0) break;
    }
    entries.splice(at, 0, entry);
  });
  writeLength(map, entries.length, MAJOR_TYPE_MAP, writer, options);
  for (const [key, value] of entries) {
    writer.write(key);
    writeUnknown(value, writer, options);
  }
  return undefined;
}

const DETERMINISTIC_TYPES = new TypeEncoderMap();
DETERMINISTIC_TYPES.registerEncoder(Map, writeDeterministicMap);

/** cbor2's options for `encode(value, DETERMINISTIC_ENCODE)`, merged once. */
const DETERMINISTIC_OPTIONS: RequiredEncodeOptions = { ...defaultEncodeOptions, ...cdeEncodeOptions, ...DETERMINISTIC_ENCODE, types: DETERMINISTIC_TYPES };

/**
 * Decodes exactly one CBOR item that must be in core deterministic encoding, and checks it:
 * the value re-encoded must give back the very same bytes. Throws `MalformedError` only.
 *
 * cborg decodes first (twice as fast as cbor2 for a payment bundle, and most input is well
 * formed).
 * Whatever it refuses, or decodes into a value that does not re-encode to the input or lies
 * deeper than cbor2 allows, is decided by the cbor2 path exactly as before — so the bytes
 * accepted, the values returned and the errors thrown are cbor2's (a property test compares
 * the two on random and on deterministic input).
 */
export function decodeStrict(bytes: Uint8Array, path = ''): CborValue {
  const input = plainBytes(bytes);
  const value = decodeStrictFast(input);
  if (value !== FAST_PATH_FAILED) return value;
  return decodeStrictCbor2(input, path);
}

/** decodeStrict as cbor2 alone does it: the reference the fast path must agree with. */
export function decodeStrictCbor2(bytes: Uint8Array, path = ''): CborValue {
  const input = plainBytes(bytes);
  let value: CborValue;
  try {
    value = decode(input, STRICT_DECODE) as CborValue;
  } catch (error) {
    throw new MalformedError(`not deterministic CBOR (${describe(error)})`, path, { cause: error });
  }
  requireDeterministic(input, value, path);
  return value;
}

const FAST_PATH_FAILED = Symbol('fast path failed');

/**
 * Every tag, decoded as cbor2 does with `ignoreGlobalTags`: a `Tag` around its contents. cborg
 * looks a tag's decoder up by number (`tags[n]`), so this answers any number.
 */
const ANY_TAG = new Proxy([] as unknown[], {
  get: (_target, key) => {
    if (typeof key !== 'string') return undefined;
    const tag = Number(key);
    return (decodeContents: TagDecodeControl) => new Tag(Number.isSafeInteger(tag) ? tag : BigInt(key), decodeContents());
  },
});

const CBORG_STRICT: CborgDecodeOptions = {
  strict: true, // preferred integer and length forms
  allowIndefinite: false,
  allowUndefined: false,
  allowInfinity: false,
  allowNaN: false,
  useMaps: true,
  rejectDuplicateMapKeys: true,
  tags: ANY_TAG as CborgDecodeOptions['tags'],
};

function decodeStrictFast(input: Uint8Array): CborValue | typeof FAST_PATH_FAILED {
  let value: CborValue;
  try {
    value = cborgDecode(input, CBORG_STRICT) as CborValue;
    value = asCbor2Would(value, 0);
    const again = encodeDeterministic(value);
    if (!bytesEqual(input, again)) return FAST_PATH_FAILED;
  } catch {
    return FAST_PATH_FAILED;
  }
  return value;
}

/** −2⁵³: cbor2 gives it as a number, cborg as a bigint. */
const MINUS_TWO_TO_53 = -(2n ** 53n);

/**
 * The value as cbor2 would have decoded it, or a throw where cbor2 would have refused it for
 * depth. cbor2 counts depth its own way (an array's items two levels down, a map's keys and
 * values and a tag's contents one) and refuses an item past MAX_DEPTH.
 */
function asCbor2Would(value: CborValue, depth: number): CborValue {
  if (depth > MAX_DEPTH) throw new RangeError('too deep');
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = asCbor2Would(value[i]!, depth + 2);
  } else if (value instanceof Map) {
    for (const [key, item] of value) {
      if (asCbor2Would(key, depth + 1) !== key) throw new RangeError('a map key cbor2 decodes differently');
      const again = asCbor2Would(item, depth + 1);
      if (again !== item) value.set(key, again);
    }
  } else if (value instanceof Tag) {
    value.contents = asCbor2Would(value.contents as CborValue, depth + 1);
  } else if (value === MINUS_TWO_TO_53) {
    return -(2 ** 53);
  }
  return value;
}

/**
 * Checks that `bytes` are the deterministic encoding of `value`, which was decoded from them
 * (leniently, say): re-encode and compare. Throws `MalformedError`.
 */
export function requireDeterministic(bytes: Uint8Array, value: unknown, path = ''): void {
  let again: Uint8Array;
  try {
    again = encodeDeterministic(value);
  } catch (error) {
    throw new MalformedError(`CBOR value cannot be re-encoded (${describe(error)})`, path, { cause: error });
  }
  if (!bytesEqual(plainBytes(bytes), again)) throw new MalformedError('CBOR is not in deterministic encoding', path);
}

/**
 * Decodes one CBOR item as RFC 8949 allows it (any valid encoding). For the general COSE layer,
 * which follows RFC 9052 as written; OIP/1 objects always go through `decodeStrict`.
 */
export function decodeLenient(bytes: Uint8Array, path = ''): CborValue {
  try {
    return decode(plainBytes(bytes), LENIENT_DECODE) as CborValue;
  } catch (error) {
    throw new MalformedError(`not valid CBOR (${describe(error)})`, path, { cause: error });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isCborMap(value: unknown): value is Map<CborValue, CborValue> {
  return value instanceof Map;
}

export function isBytes(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array;
}
