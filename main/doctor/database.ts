/** The VSE's database: it opens with the key, every page reads back (integrity_check), the audit chain verifies. */
import type { VseResult } from '../../vse/contract/rpc.ts';
import { fail, ok, skip, type CheckResult } from './check.ts';

const RESTORE_HINT = 'restore the last good backup into a new folder (kassa restore --data NEW BACKUP), check it with kassa doctor --data NEW, and run the terminal from there';

export function databaseCheck(check: VseResult<'databaseCheck'> | undefined, openError: Error | undefined, notOpenedWhy = 'no database to check (the terminal is not set up)'): CheckResult {
  if (openError !== undefined) {
    const code = (openError as { code?: string }).code;
    const wrongKey = code === 'WRONG_DATABASE_KEY' || /not a database|key/i.test(openError.message);
    return fail('database', `the VSE could not open the database: ${openError.message}${code === undefined ? '' : ` [${code}]`}`, wrongKey ? `the key does not open it (or the file is damaged): use the key this database was made with; else ${RESTORE_HINT}` : RESTORE_HINT);
  }
  if (check === undefined) return skip('database', notOpenedWhy);
  const details = { schemaVersion: check.schemaVersion, pages: check.pageCount, freePages: check.freePages, ...check.counts, auditHead: check.auditHead };
  if (!check.integrity.ok) return fail('database', `integrity check failed: ${check.integrity.problems.slice(0, 3).join('; ')}`, RESTORE_HINT, details);
  if (!check.audit.ok) return fail('database', `the audit log does not verify: ${check.audit.problem.kind} at entry ${check.audit.problem.seq}: ${check.audit.problem.detail}`, `keep this folder as evidence (kassa export), and ${RESTORE_HINT}`, details);
  return ok('database', `whole: ${check.pageCount} pages, ${check.counts.payments} payments (${check.counts.pendingPayments} unsettled), audit log of ${check.counts.auditEntries} entries verifies`, details);
}
