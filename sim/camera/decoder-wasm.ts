/**
 * The camera decoder's WebAssembly binary as bytes, for Node (the bench and the tests): the
 * browser fetches the same file from its own origin, Node reads it from node_modules.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function readerWasmBytes(): ArrayBuffer {
  const bytes = readFileSync(fileURLToPath(import.meta.resolve('zxing-wasm/reader/zxing_reader.wasm')));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}
