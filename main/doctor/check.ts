/**
 * What `kassa doctor` reports: one result per check, each failure with what to do about it.
 * The checks are small modules in this folder; `runDoctor` (doctor.ts) gathers the facts once
 * (a read-only VSE beside the running terminal, one request to the backend) and runs them all.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** Stable, for scripts: `data-folder`, `database`, … */
  id: string;
  status: CheckStatus;
  /** One line: what was found. */
  summary: string;
  /** What to do, on `warn` and `fail`. */
  hint?: string;
  /** Figures a script may want (versions, ages, counts). */
  details?: Record<string, unknown>;
}

export const ok = (id: string, summary: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'ok', summary, ...(details === undefined ? {} : { details }) });
export const fail = (id: string, summary: string, hint: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'fail', summary, hint, ...(details === undefined ? {} : { details }) });
export const warn = (id: string, summary: string, hint: string, details?: Record<string, unknown>): CheckResult => ({ id, status: 'warn', summary, hint, ...(details === undefined ? {} : { details }) });
export const skip = (id: string, summary: string): CheckResult => ({ id, status: 'skip', summary });
