/**
 * The security gate's dependency audit (docs/security.md, "Security gate"): `npm audit
 * --omit=dev` — the packages that ship — must show no high or critical advisory, unless
 * security/audit-reasons.json gives a written reason for that package and advisory.
 *
 * When the registry's audit endpoint does not answer (no network, or a registry mirror without
 * the audit API, as on the development machines here, which answer 405), the audit cannot be
 * made: it says so and why, and does not pass silently as if it had been.
 *
 *   scripts/node.sh scripts/npm-audit.ts    exit 0 passed, 1 failed, 0 with "SKIPPED: why" when it could not run
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build-app.ts';

export const AUDIT_REASONS_FILE = join(ROOT, 'security', 'audit-reasons.json');
const SERIOUS = new Set(['high', 'critical']);

/** What `npm audit --json` (auditReportVersion 2) says about one package. */
interface AuditVulnerability {
  name: string;
  severity: 'info' | 'low' | 'moderate' | 'high' | 'critical';
  via: (string | { source: number; title: string; url: string; severity: string })[];
}
export interface AuditReport {
  auditReportVersion?: number;
  vulnerabilities?: Record<string, AuditVulnerability>;
  /** npm's error shape when the audit endpoint failed. */
  message?: string;
  error?: { summary?: string; code?: string };
}

/** A written reason for one advisory (its URL, e.g. https://github.com/advisories/GHSA-…) in one package. */
export interface AuditReason {
  package: string;
  advisory: string;
  reason: string;
}

export type AuditOutcome =
  | { kind: 'passed'; serious: number; explained: string[] }
  | { kind: 'failed'; unexplained: string[] }
  | { kind: 'skipped'; why: string };

/** The gate's verdict on one audit report. */
export function judgeAudit(report: AuditReport, reasons: readonly AuditReason[]): AuditOutcome {
  if (report.vulnerabilities === undefined) {
    return { kind: 'skipped', why: `the registry's audit endpoint gave no report (${report.message ?? report.error?.summary ?? 'no vulnerabilities section'})` };
  }
  const unexplained: string[] = [];
  const explained: string[] = [];
  let serious = 0;
  for (const vulnerability of Object.values(report.vulnerabilities)) {
    if (!SERIOUS.has(vulnerability.severity)) continue;
    // An advisory of its own, or inherited from a dependency (via names that package, reported separately).
    for (const via of vulnerability.via) {
      if (typeof via === 'string') continue;
      if (!SERIOUS.has(via.severity)) continue;
      serious += 1;
      const label = `${vulnerability.name}: ${via.severity} ${via.title} (${via.url})`;
      if (reasons.some((reason) => reason.package === vulnerability.name && reason.advisory === via.url)) explained.push(label);
      else unexplained.push(label);
    }
  }
  return unexplained.length > 0 ? { kind: 'failed', unexplained } : { kind: 'passed', serious, explained };
}

export function readAuditReasons(file: string = AUDIT_REASONS_FILE): AuditReason[] {
  const { reasons } = JSON.parse(readFileSync(file, 'utf8')) as { reasons: AuditReason[] };
  for (const reason of reasons) {
    if (typeof reason.package !== 'string' || typeof reason.advisory !== 'string' || typeof reason.reason !== 'string' || reason.reason.trim().length < 20) {
      throw new Error(`${file}: every reason needs a package, an advisory URL and a written reason: ${JSON.stringify(reason)}`);
    }
  }
  return reasons;
}

/** Runs `npm audit --omit=dev --json` in the repository (no retries: an unreachable registry answers fast); its report, or npm's error as one. */
export function runNpmAudit(root: string = ROOT): Promise<AuditReport> {
  return new Promise((resolve) => {
    execFile('npm', ['audit', '--omit=dev', '--json', '--fetch-retries=0', '--fetch-timeout=15000'], { cwd: root, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout) => {
      try {
        resolve(JSON.parse(stdout) as AuditReport);
      } catch {
        resolve({ message: `npm audit printed no report: ${error?.message ?? 'no output'}` });
      }
    });
  });
}

async function main(): Promise<number> {
  const outcome = judgeAudit(await runNpmAudit(), readAuditReasons());
  switch (outcome.kind) {
    case 'skipped':
      console.log(`npm audit: SKIPPED: ${outcome.why}. Run it where the public registry is reachable.`);
      return 0;
    case 'failed':
      for (const line of outcome.unexplained) console.log(`UNEXPLAINED ${line}`);
      console.log('npm audit: the gate FAILS (fix, or give a reason in security/audit-reasons.json)');
      return 1;
    case 'passed':
      for (const line of outcome.explained) console.log(`explained   ${line}`);
      console.log(`npm audit: the gate passes (${outcome.serious} high/critical advisories, each with a reason)`);
      return 0;
  }
}

if (import.meta.main) process.exitCode = await main();
