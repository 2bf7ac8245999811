/**
 * `kassa verify-export FILE`: checks a terminal export with nothing but the file and the
 * scheme's root key — no data folder, no database key, no network (vse/contract/terminal-export.ts
 * says what proves what).
 */
import { readFileSync, statSync } from 'node:fs';
import { nodeVerify } from '../../../base/node/node-es256.ts';
import { verifyTerminalExport } from '../../../vse/contract/terminal-export.ts';
import { EXIT, parseOptions, rootKeysOption, toJson, UsageError, type Command } from '../command.ts';

/** Larger files are refused unread: a year of a busy till is far below it. */
const MAX_EXPORT_BYTES = 1024 * 1024 * 1024;

export const verifyExportCommand: Command = {
  usage: `kassa verify-export (--root-key HEX ... | --no-anchor) FILE

  --root-key HEX   the scheme root public key (33-byte compressed P-256 point in hex,
                   repeatable): the trust lists in the file must be signed by it, and through
                   them the terminal certificate and every wallet certificate
  --no-anchor      check the file only against itself (signatures, chain, payments): proves it
                   is whole, not that the scheme vouches for the terminal

Prints the verification as JSON ({"ok", "anchored", "terminalId", "payments",
"purgedPayments", "problems": [{"kind", "detail", "seq"?, "iouId"?}], ...}) and exits 0 when
the file is whole and anchored, 1 when anything is wrong (each problem named), 2 on a usage
error.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { 'root-key': { type: 'string', multiple: true }, 'no-anchor': { type: 'boolean' } });
    const rootKeys = rootKeysOption(values['root-key']);
    if (rootKeys.length === 0 && values['no-anchor'] !== true) throw new UsageError('--root-key is required (or --no-anchor to check the file only against itself)');
    if (rootKeys.length > 0 && values['no-anchor'] === true) throw new UsageError('--root-key and --no-anchor exclude each other');
    if (positionals.length !== 1) throw new UsageError('expected exactly one FILE');
    const path = positionals[0]!;
    let file: Uint8Array;
    try {
      if (statSync(path).size > MAX_EXPORT_BYTES) {
        io.stderr(`kassa verify-export: ${path} is larger than ${MAX_EXPORT_BYTES} bytes: not an export\n`);
        return EXIT.rejected;
      }
      file = readFileSync(path);
    } catch (error) {
      io.stderr(`kassa verify-export: cannot read ${path}: ${(error as Error).message}\n`);
      return EXIT.rejected;
    }
    const result = verifyTerminalExport(file, { rootKeys, verify: nodeVerify });
    io.stdout(toJson(result, 2) + '\n');
    const whole = result.ok && (result.anchored || rootKeys.length === 0);
    if (!whole) {
      const first = result.problems[0];
      const why = first === undefined ? 'it is not anchored to the root key given' : `${first.kind}${first.seq === undefined ? '' : ` at audit entry ${first.seq}`}: ${first.detail}`;
      io.stderr(`kassa verify-export: ${path} does NOT verify (${result.problemCount} problem${result.problemCount === 1 ? '' : 's'}); first: ${why}\n`);
      return EXIT.rejected;
    }
    io.stderr(`kassa verify-export: ${path} verifies: ${result.payments} payments, ${result.auditEntries} audit entries, ${result.purgedPayments} purged by retention${rootKeys.length === 0 ? ' (not anchored: --no-anchor)' : `, terminal ${result.terminalId}`}\n`);
    return EXIT.ok;
  },
};
