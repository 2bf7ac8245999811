// The report files for every report view the app API contract allows (fast-check, from the
// contract's own schema): the CSV parses back (csv-parse) into one row per figure, refusal,
// payment and double spend, every text field intact or escaped as a formula; the PDF renders and
// PDF.js reads back its title, merchant and payment count. Names a report file is saved under
// stay plain.
import fc from 'fast-check';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { arbitraryOf } from '../../test/support/contract-arbitrary.ts';
import { pdfText } from '../../test/support/pdf-text.ts';
import { testSeed } from '../../test/support/seed.ts';
import { reportView, type ReportView } from '../contract/report-schemas.ts';
import { CSV_COLUMNS, reportCsv } from './report-csv.ts';
import { reportFileName } from './report-files.ts';
import { printable, reportPdf } from './report-pdf.ts';
import { reportTitle } from './report-title.ts';

type CsvRow = Record<(typeof CSV_COLUMNS)[number], string>;

/** What a spreadsheet-safe field looks like after escape_formulas: a leading quote before = + - @ tab CR. */
const escaped = (text: string) => (/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text);
/** And as UTF-8 carries it: a lone surrogate arrives as U+FFFD. */
const asWritten = (text: string) => escaped(text).toWellFormed();

describe('report files', () => {
  it('CSV: any report view parses back, one row per item, every row naming its report', () => {
    const { seed } = testSeed('report csv');
    fc.assert(
      fc.property(arbitraryOf(reportView), (view: ReportView) => {
        const rows = parse(reportCsv(view), { columns: true, relax_quotes: false }) as CsvRow[];
        const r = view.report;
        const expected = 1 + 5 * r.totals.length + r.rejections.length + r.payments.length + r.doubleSpends.length + (view.state === 'closed' ? 5 * view.reconciliation.totals.length : 0);
        expect(rows).toHaveLength(expected);
        for (const row of rows) {
          expect(Object.keys(row)).toEqual([...CSV_COLUMNS]);
          expect([row.kind, row.z_number, row.day, row.merchant_name, row.terminal_id, row.till]).toEqual([r.kind, String(r.number ?? ''), r.day, asWritten(r.merchantName), asWritten(r.terminalId), asWritten(r.till)]);
        }
        expect(rows.filter((row) => row.record === 'payment').map((row) => [row.iou_id, row.reference])).toEqual(r.payments.map((p) => [p.iouId, asWritten(p.reference ?? '')]));
      }),
      { seed, numRuns: 150 },
    );
  });

  it('PDF: any report view renders, and PDF.js reads back its title, merchant id and payment count', async () => {
    const { seed } = testSeed('report pdf');
    // Printable Latin-1 text: what pdfkit's built-in Helvetica can show (docs/reports.md).
    const latin = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((c) => String.fromCharCode(c)), minLength: 1, maxLength: 20 });
    await fc.assert(
      fc.asyncProperty(arbitraryOf(reportView), latin, async (view: ReportView, merchantId) => {
        const shown: ReportView = { ...view, report: { ...view.report, merchantId, timeZone: 'Europe/Stockholm' } } as ReportView;
        const { lines } = await pdfText(await reportPdf(shown));
        expect(lines[0]).toBe(reportTitle(shown));
        expect(lines.some((line) => line.includes(`(${merchantId})`))).toBe(true);
        expect(lines).toContain(`Payments (${shown.report.payments.length})`);
      }),
      { seed, numRuns: 25 },
    );
  });

  it('PDF text keeps what Windows-1252 has (Swedish, €) and marks what it lacks instead of drawing wrong glyphs', async () => {
    expect(printable('Café Åre – 12,50 € “ok”')).toBe('Café Åre – 12,50 € “ok”');
    expect(printable('Сбербанк 🙂')).toBe('???????? ?');
    expect(printable('a\u0000b\nc\u0085d')).toBe('a b c d');
    const view = arbitraryOf(reportView).filter((v) => v.state === 'open');
    const [sample] = fc.sample(view, { numRuns: 1, seed: 7 });
    const shown = { ...sample!, report: { ...sample!.report, merchantName: 'Kaffe & Bröd Åre', merchantId: 'M-1', timeZone: 'UTC' } } as ReportView;
    expect((await pdfText(await reportPdf(shown))).lines).toContain('Merchant: Kaffe & Bröd Åre (M-1)');
  });

  it('names a file by its Z number, day and terminal, in plain characters only', () => {
    const { seed } = testSeed('report file names');
    fc.assert(
      fc.property(arbitraryOf(reportView), fc.constantFrom('pdf' as const, 'csv' as const), (view: ReportView, format) => {
        const name = reportFileName(view, format);
        expect(name).toMatch(/^kassa-(x|z\d{4,})-\d{4}-\d{2}-\d{2}-[A-Za-z0-9._-]*\.(pdf|csv)$/);
        if (view.report.number !== null) expect(name.startsWith(`kassa-z${String(view.report.number).padStart(4, '0')}-`)).toBe(true);
      }),
      { seed, numRuns: 200 },
    );
  });
});
