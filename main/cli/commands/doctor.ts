/**
 * `kassa doctor [--json]`: what is wrong with this terminal and what to do about it
 * (main/doctor/). Safe while the terminal runs.
 */
import { runDoctor, type DoctorReport } from '../../doctor/doctor.ts';
import type { CheckStatus } from '../../doctor/check.ts';
import { EXIT, parseOptions, toJson, UsageError, type CliIo, type Command } from '../command.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE } from '../terminal-context.ts';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL', skip: '--  ' };

export const doctorCommand: Command = {
  usage: `kassa doctor [--data DIR] [--key-file FILE] [--json] [--strict]

Checks this terminal and says what to fix: Node/Electron versions, the data folder and its
permissions, the configuration, the database key and terminal certificate, the database
(every page read, the audit chain verified), the trust list's age, the configured devices
and their permissions, Kassa's udev rules, the backend, and the clock against the backend's.
Reads beside a running terminal; changes nothing.

  --json     one JSON object: {"ok", "checks": [{"id", "status", "summary", "hint"?, "details"?}]}
  --strict   warnings count as failures
${TERMINAL_OPTIONS_USAGE}

Exits 0 when nothing failed, 1 when a check failed (or warned, with --strict).`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, { ...TERMINAL_OPTIONS, json: { type: 'boolean' }, strict: { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const report = await runDoctor({ dataDir: values.data, keyFile: values['key-file'] });
    if (values.json === true) io.stdout(toJson(report, 2) + '\n');
    else print(io, report);
    const bad = report.checks.some((c) => c.status === 'fail' || (values.strict === true && c.status === 'warn'));
    return bad ? EXIT.rejected : EXIT.ok;
  },
};

function print(io: CliIo, report: DoctorReport): void {
  for (const check of report.checks) {
    io.stdout(`${MARK[check.status]} ${check.id.padEnd(12)} ${check.summary}\n`);
    if (check.hint !== undefined) io.stdout(`     ${''.padEnd(12)} fix: ${check.hint}\n`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  const warned = report.checks.filter((c) => c.status === 'warn').length;
  io.stdout(failed === 0 ? `\nhealthy${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}\n` : `\n${failed} check${failed === 1 ? '' : 's'} failed\n`);
}
