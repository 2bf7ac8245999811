/**
 * `kassa report`: a business day's end-of-day report (docs/reports.md) — its numbered Z report
 * when the day is closed, the running X figures when not — printed, and saved as PDF and/or
 * CSV. `--close` closes the day first (the next Z number). Days are calendar days in the
 * terminal's time zone: the platform's (`TZ`), named on every report.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatAmount } from '../../../protocol/index.ts';
import { AppError } from '../../contract/app-api.ts';
import type { ReportView } from '../../contract/report-schemas.ts';
import { HOST_DEFAULTS } from '../../host/host-settings.ts';
import { businessDay, DayError, hostTimeZone, localDateTime } from '../../reports/days.ts';
import { reportBytes, type ReportFormat } from '../../reports/report-files.ts';
import { reportTitle } from '../../reports/report-title.ts';
import { ReportService } from '../../reports/report-service.ts';
import { EXIT, parseOptions, toJson, UsageError, type CliIo, type Command } from '../command.ts';
import { TERMINAL_OPTIONS, TERMINAL_OPTIONS_USAGE, withTerminal } from '../terminal-context.ts';

function summary(view: ReportView): string {
  const r = view.report;
  const lines = [
    reportTitle(view),
    `Merchant:   ${r.merchantName} (${r.merchantId})`,
    `Terminal:   ${r.terminalId}, till ${r.till}`,
    `Day:        ${r.day} (time zone ${r.timeZone}); payments accepted ${localDateTime(r.from, r.timeZone)} to ${localDateTime(r.to, r.timeZone)}`,
  ];
  if (r.totals.length === 0) lines.push('Totals:     no payments');
  for (const t of r.totals) {
    lines.push(
      `${t.currency}:        accepted ${t.accepted.count} = ${formatAmount(t.accepted.amount, t.currency)}; settled ${t.settled.count} = ${formatAmount(t.settled.amount, t.currency)}; ` +
        `refused ${t.refused.count} = ${formatAmount(t.refused.amount, t.currency)}; unsettled ${t.unsettled.count} = ${formatAmount(t.unsettled.amount, t.currency)}`,
    );
  }
  for (const x of r.rejections) lines.push(`Refused:    ${x.count} ${x.state}${x.reason === null ? '' : ` ${x.reason}`} = ${formatAmount(x.amount, x.currency)}`);
  if (view.state === 'closed') {
    for (const t of view.reconciliation.totals) lines.push(`Now ${t.currency}:    settled ${t.settled.count} = ${formatAmount(t.settled.amount, t.currency)}; refused ${t.refused.count}; unsettled ${t.unsettled.count}`);
    lines.push(`Digest:     sha256 ${r.digest} (audit entry ${r.auditSeq})`);
  }
  if (view.state === 'open') lines.push('Not closed: kassa report --day DAY --close makes its Z report');
  return `${lines.join('\n')}\n`;
}

function save(io: CliIo, view: ReportView, format: ReportFormat, file: string, bytes: Uint8Array): boolean {
  try {
    writeFileSync(resolve(file), bytes);
    io.stderr(`kassa report: ${format.toUpperCase()} of ${reportTitle(view)} written to ${file}\n`);
    return true;
  } catch (error) {
    io.stderr(`kassa report: cannot write ${file}: ${(error as Error).message}\n`);
    return false;
  }
}

export const reportCommand: Command = {
  usage: `kassa report [--day YYYY-MM-DD] [--close] [--pdf FILE] [--csv FILE] [--json] [--data DIR] [--key-file FILE]

  --day DAY         the business day (default: today), a calendar day in the terminal's time
                    zone: the platform's (set TZ to choose another), named on the report
  --close           close the day first: the next numbered Z report, signed in the VSE; a day
                    already closed answers its Z report again. Days close in order
  --pdf FILE        save the report as PDF
  --csv FILE        save the report as CSV (one table; see docs/reports.md)
  --json            the report as one JSON object instead of lines
${TERMINAL_OPTIONS_USAGE}

Without --close a day not yet closed gives its running figures (an X report, not numbered).
Exits 0 with the report, 1 when the day cannot be closed or a file cannot be written.`,

  async run(args, io) {
    const { values, positionals } = parseOptions(args, {
      ...TERMINAL_OPTIONS,
      day: { type: 'string' },
      close: { type: 'boolean' },
      pdf: { type: 'string' },
      csv: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    const timeZone = hostTimeZone();
    if (values.day !== undefined) {
      try {
        businessDay(values.day, timeZone);
      } catch (error) {
        if (error instanceof DayError) throw new UsageError(`--day: ${error.message}`);
        throw error;
      }
    }
    return withTerminal(
      values,
      io,
      'report',
      async (host) => {
        const reports = new ReportService({ vse: host.vse, timeZone, till: () => host.config.host?.till ?? HOST_DEFAULTS.till });
        const day = values.day ?? reports.today();
        let view: ReportView;
        try {
          view = values.close ? (await reports.close(day)).view : await reports.view(day);
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          io.stderr(`kassa report: ${error.message} [${error.code}]\n`);
          return EXIT.rejected;
        }
        io.stdout(values.json ? `${toJson(view)}\n` : summary(view));
        let ok = true;
        for (const format of ['pdf', 'csv'] as const) {
          const file = values[format];
          if (file !== undefined) ok = save(io, view, format, file, await reportBytes(view, format)) && ok;
        }
        return ok ? EXIT.ok : EXIT.rejected;
      },
      { access: values.close ? 'write' : 'read' },
    );
  },
};
