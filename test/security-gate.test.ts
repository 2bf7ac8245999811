/**
 * The security gate (docs/security.md, "Security gate"), run by `npm test` and so by CI:
 * Electronegativity over the product's sources finds nothing above LOW without a written
 * reason (and the scan does find a planted misconfiguration), and `npm audit --omit=dev`
 * finds no unexplained high or critical advisory — or, where the registry has no audit
 * endpoint, says it was skipped and why.
 */
import { describe, expect, it } from 'vitest';
import { judge, passes, readReasons, scan, type Finding } from '../scripts/electronegativity.ts';
import { judgeAudit, readAuditReasons, runNpmAudit, type AuditReport } from '../scripts/npm-audit.ts';

const INSECURE_WINDOW = `import { BrowserWindow } from 'electron';
export function open(): BrowserWindow {
  return new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, sandbox: false } });
}
`;

describe('Electronegativity over the sources', () => {
  it('passes: every finding above LOW has a written reason, and no reason is stale', async () => {
    const { findings, parseErrors } = await scan();
    const result = judge(findings, readReasons(), parseErrors);
    expect(result.parseErrors).toEqual([]);
    expect(result.unexplained).toEqual([]);
    expect(result.stale).toEqual([]);
    expect(passes(result)).toBe(true);
  }, 120_000);

  it('finds a window with Node integration and no context isolation, and the gate fails on it', async () => {
    const { findings } = await scan(undefined, { 'main/electron/insecure-window.ts': INSECURE_WINDOW });
    const planted = findings.filter((finding) => finding.file === 'main/electron/insecure-window.ts').map((finding) => finding.id);
    expect(planted).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'SANDBOX_JS_CHECK']));
    expect(passes(judge(findings, readReasons()))).toBe(false);
  }, 120_000);

  it('judges: unexplained above LOW fails, LOW passes without a reason, a reason without its finding is stale', () => {
    const finding = (id: string, severity: Finding['severity']): Finding => ({ id, severity, confidence: 'CERTAIN', file: 'main/x.ts', line: 1, sample: '' });
    expect(judge([finding('A', 'MEDIUM')], []).unexplained).toHaveLength(1);
    expect(judge([finding('A', 'HIGH')], [{ id: 'A', file: 'main/x.ts', reason: 'a reason long enough to read' }]).unexplained).toEqual([]);
    expect(passes(judge([finding('A', 'LOW'), finding('B', 'INFORMATIONAL')], []))).toBe(true);
    expect(judge([], [{ id: 'A', file: 'main/x.ts', reason: 'a reason long enough to read' }]).stale).toHaveLength(1);
  });
});

describe('npm audit of the production dependencies', () => {
  const advisory = (severity: string) => ({ source: 1, title: 'Prototype pollution', url: 'https://github.com/advisories/GHSA-xxxx-yyyy-zzzz', severity });
  const report = (severity: 'high' | 'critical' | 'moderate'): AuditReport => ({
    auditReportVersion: 2,
    vulnerabilities: {
      leftpad: { name: 'leftpad', severity, via: [advisory(severity)] },
      // Inherits the advisory from leftpad: counted once, under leftpad.
      wrapper: { name: 'wrapper', severity, via: ['leftpad'] },
    },
  });

  it('fails on a high or critical advisory without a reason, passes with one, ignores moderate', () => {
    expect(judgeAudit(report('critical'), [])).toMatchObject({ kind: 'failed', unexplained: [expect.stringMatching(/^leftpad: critical/)] });
    expect(judgeAudit(report('high'), [{ package: 'leftpad', advisory: 'https://github.com/advisories/GHSA-xxxx-yyyy-zzzz', reason: 'only reachable through a code path we never call' }])).toMatchObject({ kind: 'passed', serious: 1 });
    expect(judgeAudit(report('moderate'), [])).toMatchObject({ kind: 'passed', serious: 0 });
    expect(judgeAudit({ message: '405 Method Not Allowed' }, [])).toEqual({ kind: 'skipped', why: expect.stringContaining('405') });
  });

  it('passes on the real dependencies, or says plainly why it could not run', async () => {
    const outcome = judgeAudit(await runNpmAudit(), readAuditReasons());
    if (outcome.kind === 'skipped') console.log(`npm audit SKIPPED: ${outcome.why}`);
    expect(outcome.kind).not.toBe('failed');
    if (outcome.kind === 'failed') console.log(outcome.unexplained.join('\n'));
  }, 90_000);
});
