/**
 * The security gate's Electronegativity run (docs/security.md, "Security gate"): Doyensec's
 * Electron misconfiguration scanner over the product's sources — main/, renderer/, vse/,
 * hardware/, protocol/, base/ and package.json, not the simulators, tests or scripts — with
 * Electron's version taken as the one the app ships. Every finding above LOW must be listed
 * in security/electronegativity-reasons.json with a written reason, or the gate fails; a
 * reason that no longer matches a finding fails it too, so the file never goes stale.
 *
 *   scripts/node.sh scripts/electronegativity.ts      prints the findings, exit 1 when the gate fails
 *
 * test/security-gate.test.ts runs it as part of `npm test` (so CI runs it).
 *
 * Electronegativity's CLI first fetches translations from the network and, where the network is
 * unreachable, crashes in its HTTP client's retry; this calls its runner directly with the
 * English texts it ships.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { ROOT } from './build-app.ts';

/** What is scanned: the product's source folders (the shipped bundles are built from these). */
export const SCANNED_FOLDERS = ['main', 'renderer', 'vse', 'hardware', 'protocol', 'base'] as const;
/**
 * Left out: AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK downloads Electron's release list from
 * GitHub (no network in CI here, and a gate must not depend on it). Electron's own advisories
 * reach us through `npm audit` (scripts/audit.ts) instead.
 */
export const EXCLUDED_CHECKS = ['AvailableSecurityFixesGlobalCheck'] as const;
export const REASONS_FILE = join(ROOT, 'security', 'electronegativity-reasons.json');
const SEVERITIES = ['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface Finding {
  id: string;
  severity: Severity;
  confidence: string;
  /** Relative to the repository, `/`-separated. */
  file: string;
  line: number;
  sample: string;
}

/** One written reason: a check, the file it fires in, and why it is acceptable there. */
export interface Reason {
  id: string;
  file: string;
  reason: string;
}

export interface GateResult {
  findings: Finding[];
  /** Findings above LOW without a reason. */
  unexplained: Finding[];
  /** Reasons that match no finding any more (remove them). */
  stale: Reason[];
  /** Files Electronegativity could not parse (a finding could hide in them). */
  parseErrors: { file: string; message: string }[];
}

const requireHere = createRequire(import.meta.url);

/** Electronegativity's runner, with its i18n set up from the texts it ships (no network). */
function offlineRunner(): (options: Record<string, unknown>) => Promise<{ issues: RawIssue[]; errors: { file: string; message: string; tolerable: boolean }[] }> {
  const packageDir = dirname(requireHere.resolve('@doyensec/electronegativity/package.json'));
  const localesDir = join(packageDir, 'dist', 'locales');
  const requireThere = createRequire(join(packageDir, 'dist', 'runner.js'));
  const i18n = requireThere('i18n') as { configure(options: object): void; setLocale(locale: string): void };
  const offlineI18n = async () => {
    i18n.configure({ locales: ['en-US'], defaultLocale: 'en-US', directory: localesDir, updateFiles: false, objectNotation: true, register: globalThis });
    i18n.setLocale('en-US');
  };
  const i18nModule = requireThere.resolve('./locales/i18n.js');
  requireThere.cache[i18nModule] = { id: i18nModule, filename: i18nModule, loaded: true, exports: offlineI18n } as unknown as NodeJS.Module;
  return requireThere('./runner.js') as never;
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: string };
  confidence: { name: string };
  sample?: string;
  manualReview: boolean;
}

export function electronVersion(): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  return lock.packages['node_modules/electron']!.version;
}

/** Runs Electronegativity over a copy of the product's sources; the findings, relative to the repository. */
export async function scan(root: string = ROOT, planted: Record<string, string> = {}): Promise<{ findings: Finding[]; parseErrors: { file: string; message: string }[] }> {
  const stage = mkdtempSync(join(tmpdir(), 'kassa-electronegativity-'));
  try {
    for (const folder of SCANNED_FOLDERS) {
      cpSync(join(root, folder), join(stage, folder), { recursive: true, filter: (source) => !/\.test\.tsx?$/.test(source) && !source.split(sep).includes('test') });
    }
    cpSync(join(root, 'package.json'), join(stage, 'package.json'));
    // Tests plant a deliberately insecure file to prove the scan finds it.
    for (const [path, content] of Object.entries(planted)) {
      mkdirSync(dirname(join(stage, path)), { recursive: true });
      writeFileSync(join(stage, path), content);
    }
    const run = offlineRunner();
    const result = await run({
      input: stage,
      isRelative: true,
      severitySet: 'informational',
      confidenceSet: 'tentative',
      electronVersionOverride: electronVersion(),
      parserPlugins: [],
      excludeFromScan: [...EXCLUDED_CHECKS],
    });
    const findings = result.issues.map((issue) => ({
      id: issue.id,
      severity: issue.severity.name.toUpperCase() as Severity,
      confidence: issue.confidence.name.toUpperCase(),
      file: issue.file.split(sep).join('/'),
      line: issue.location.line,
      sample: (issue.sample ?? '').trim().slice(0, 160),
    }));
    const parseErrors = result.errors.filter((error) => !error.tolerable).map((error) => ({ file: error.file.slice(stage.length + 1), message: error.message }));
    return { findings, parseErrors };
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

export function readReasons(file: string = REASONS_FILE): Reason[] {
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { reasons: Reason[] };
  for (const reason of parsed.reasons) {
    if (typeof reason.id !== 'string' || typeof reason.file !== 'string' || typeof reason.reason !== 'string' || reason.reason.trim().length < 20) {
      throw new Error(`${file}: every reason needs an id, a file and a written reason (20 characters at least): ${JSON.stringify(reason)}`);
    }
  }
  return parsed.reasons;
}

const above = (severity: Severity, floor: Severity) => SEVERITIES.indexOf(severity) > SEVERITIES.indexOf(floor);
const explains = (reason: Reason, finding: Finding) => reason.id === finding.id && reason.file === finding.file;

/** The gate: every finding above LOW explained, no reason left over. */
export function judge(findings: Finding[], reasons: Reason[], parseErrors: GateResult['parseErrors'] = []): GateResult {
  const serious = findings.filter((finding) => above(finding.severity, 'LOW'));
  return {
    findings,
    unexplained: serious.filter((finding) => !reasons.some((reason) => explains(reason, finding))),
    stale: reasons.filter((reason) => !serious.some((finding) => explains(reason, finding))),
    parseErrors,
  };
}

export function passes(result: GateResult): boolean {
  return result.unexplained.length === 0 && result.stale.length === 0 && result.parseErrors.length === 0;
}

async function main(): Promise<number> {
  const { findings, parseErrors } = await scan();
  const result = judge(findings, readReasons(), parseErrors);
  for (const finding of findings) {
    const mark = result.unexplained.includes(finding) ? 'UNEXPLAINED' : above(finding.severity, 'LOW') ? 'explained' : 'low';
    console.log(`${mark.padEnd(11)} ${finding.severity.padEnd(13)} ${finding.id} ${finding.file}:${finding.line}`);
  }
  for (const reason of result.stale) console.log(`STALE reason (no such finding any more): ${reason.id} ${reason.file}`);
  for (const error of parseErrors) console.log(`NOT PARSED ${error.file}: ${error.message}`);
  console.log(passes(result) ? 'electronegativity: the gate passes' : 'electronegativity: the gate FAILS');
  return passes(result) ? 0 : 1;
}

if (import.meta.main) process.exitCode = await main();
