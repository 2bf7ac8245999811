/**
 * Checks an exported VSE audit log (`kassa/audit-export/1`, docs/vse.md) with nothing but
 * the terminal's certificate, as an auditor would:
 *
 *   node scripts/check-audit-export.ts EXPORT_FILE TERMINAL_CERTIFICATE_FILE
 *
 * The certificate file holds the COSE_Sign1 bytes the terminal issuer signed. Prints one JSON
 * object; exits 0 when the log verifies, 1 when it does not, 2 on a usage error.
 */
import { readFileSync } from 'node:fs';
import { checkAuditExport } from '../vse/audit/export.ts';
import { nodeVerify } from '../base/node/node-es256.ts';

const [exportPath, certificatePath] = process.argv.slice(2);
if (exportPath === undefined || certificatePath === undefined) {
  process.stderr.write('usage: node scripts/check-audit-export.ts EXPORT_FILE TERMINAL_CERTIFICATE_FILE\n');
  process.exit(2);
}
const result = checkAuditExport(new Uint8Array(readFileSync(exportPath)), new Uint8Array(readFileSync(certificatePath)), nodeVerify);
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
