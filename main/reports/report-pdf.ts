/**
 * A day's report as a PDF (pdfkit; its standard Helvetica, so no font file ships): the Z
 * number, who and where (merchant, terminal, till), the business day and its time zone, the
 * totals per currency — accepted, settled (what the backend confirmed), refused, unsettled —
 * the refusals by reason, every payment, and for a closed day how settlement stands now.
 * The layout is plain lines and columns that a text extractor reads back in order (the tests do).
 */
import PDFDocument from 'pdfkit';
import type { ReportDocument, ReportTotals, ReportView } from '../contract/report-schemas.ts';
import { decimalText } from '../ecr/amounts.ts';
import { dateOf, localDateTime, localTime } from './days.ts';
import { reportTitle } from './report-title.ts';

const MARGIN = 48;
const FIGURE_LABELS: [keyof Omit<ReportTotals, 'currency'>, string][] = [
  ['accepted', 'Accepted'],
  ['settled', 'Settled (confirmed by the backend)'],
  ['refused', 'Refused by the backend'],
  ['unsettled', 'Unsettled (no answer yet)'],
  ['counterDoubleSpends', 'Double spends refused at the counter'],
];

/** The characters of Windows-1252 above Latin-1's controls: what the built-in Helvetica can show besides ASCII and Latin-1. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text the built-in font can show: control characters become spaces, and what Windows-1252
 * lacks (a Cyrillic merchant name, an emoji) becomes `?` rather than wrong glyphs.
 */
export function printable(text: string): string {
  let shown = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x20 || (code >= 0x7f && code < 0xa0 && !WIN_ANSI_EXTRA.has(char))) shown += ' ';
    else if (code <= 0xff || WIN_ANSI_EXTRA.has(char)) shown += char;
    else shown += '?';
  }
  return shown;
}

class Writer {
  readonly doc: PDFKit.PDFDocument;
  private readonly width: number;

  constructor(doc: PDFKit.PDFDocument) {
    this.doc = doc;
    this.width = doc.page.width - 2 * MARGIN;
  }

  heading(text: string, size = 12): void {
    this.room(3 * size);
    this.doc.moveDown(0.6).font('Helvetica-Bold').fontSize(size).text(printable(text), MARGIN).font('Helvetica').fontSize(9);
  }

  line(text: string): void {
    this.doc.font('Helvetica').fontSize(9).text(printable(text), MARGIN, undefined, { width: this.width });
  }

  /** One row of columns: widths as fractions of the line, numbers right-aligned. */
  row(cells: readonly string[], widths: readonly number[], options: { bold?: boolean; right?: readonly number[] } = {}): void {
    this.room(14);
    const y = this.doc.y;
    let x = MARGIN;
    this.doc.font(options.bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    cells.forEach((cell, index) => {
      const width = widths[index]! * this.width;
      // One line per cell: a cell too long for its column ends in an ellipsis, never wraps into the next row.
      this.doc.text(printable(cell), x, y, { width: width - 4, height: 11, align: options.right?.includes(index) ? 'right' : 'left', ellipsis: true });
      x += width;
    });
    this.doc.x = MARGIN;
    this.doc.y = y + 13;
  }

  private room(height: number): void {
    if (this.doc.y + height > this.doc.page.height - MARGIN) this.doc.addPage();
  }
}

function totalsTable(w: Writer, totals: readonly ReportTotals[]): void {
  if (totals.length === 0) {
    w.line('No payments.');
    return;
  }
  const widths = [0.55, 0.15, 0.3];
  for (const t of totals) {
    w.row([t.currency, 'Count', 'Amount'], widths, { bold: true, right: [1, 2] });
    for (const [figure, label] of FIGURE_LABELS) w.row([label, String(t[figure].count), `${decimalText(t[figure].amount, t.currency)} ${t.currency}`], widths, { right: [1, 2] });
  }
}

function header(w: Writer, view: ReportView, report: ReportDocument): void {
  const zone = report.timeZone;
  w.doc.font('Helvetica-Bold').fontSize(16).text(printable(reportTitle(view)), MARGIN);
  w.doc.moveDown(0.4);
  w.line(`Merchant: ${report.merchantName} (${report.merchantId})`);
  w.line(`Terminal: ${report.terminalId}    Till: ${report.till}`);
  w.line(`Business day: ${report.day} (time zone ${zone})`);
  w.line(`Payments accepted from ${localDateTime(report.from, zone)} to ${localDateTime(report.to, zone)} (local time)`);
  w.line(`Made: ${localDateTime(report.madeAt, zone)}`);
  if (view.state === 'open') w.line(view.previous === null ? 'No day has been closed on this terminal yet.' : `Follows Z report No. ${view.previous.number} (${view.previous.day}).`);
  if (view.state === 'unclosable' && view.coveredBy.length > 0) w.line(`Its payments are in Z report(s) ${view.coveredBy.map((z) => `No. ${z.number} (${z.day})`).join(', ')}.`);
}

function body(w: Writer, view: ReportView, report: ReportDocument): void {
  const zone = report.timeZone;
  w.heading(view.state === 'closed' ? 'Totals per currency (as at closing)' : 'Totals per currency');
  totalsTable(w, report.totals);

  w.heading('Refused by the backend, by reason');
  if (report.rejections.length === 0) w.line('None.');
  for (const r of report.rejections) w.row([`${r.state} ${r.reason ?? ''}`.trim(), String(r.count), `${decimalText(r.amount, r.currency)} ${r.currency}`], [0.55, 0.15, 0.3], { right: [1, 2] });

  w.heading(`Payments (${report.payments.length})`);
  const widths = [0.1, 0.15, 0.37, 0.2, 0.18];
  if (report.payments.length > 0) w.row(['Time', 'Amount', 'Settlement', 'Reference', 'IOU'], widths, { bold: true, right: [1] });
  for (const p of report.payments) {
    const state = p.settlementReason === null ? p.settlement : `${p.settlement} ${p.settlementReason}`;
    w.row([localTime(p.acceptedAt, zone), `${decimalText(p.amount, p.currency)} ${p.currency}`, state, p.reference ?? '', p.iouId.slice(0, 16)], widths, { right: [1] });
  }
  if (report.doubleSpends.length > 0) {
    w.heading(`Double spends refused at the counter (${report.doubleSpends.length})`);
    for (const d of report.doubleSpends) w.row([localTime(d.detectedAt, zone), `${decimalText(d.amount, d.currency)} ${d.currency}`, `IOU ${d.iouId.slice(0, 24)}`], [0.1, 0.18, 0.72], { right: [1] });
  }

  if (view.state === 'closed') {
    const r = view.reconciliation;
    w.heading(`Settlement now (as of ${localDateTime(r.madeAt, zone)})`);
    totalsTable(w, r.totals);
    for (const c of r.changes) w.line(`Since closing: ${decimalText(c.amount, c.currency)} ${c.currency} went from ${c.was} to ${c.now}${c.reason === null ? '' : ` (${c.reason})`}, IOU ${c.iouId.slice(0, 24)}`);
    if (r.missing > 0) w.line(`${r.missing} payment(s) of this report are no longer stored here (counted as at closing).`);
    w.line(r.final ? 'Final: the backend has answered for every payment of this report.' : 'Not final: some payments still await the backend\'s answer.');
    w.heading('Signature', 10);
    w.line(`Signed by the terminal key. SHA-256 of the signed content: ${report.digest}. Audit log entry ${report.auditSeq}.`);
  }
}

/** Every page says which report it belongs to, and which page of how many it is. */
function footers(doc: PDFKit.PDFDocument, which: string): void {
  const { start, count } = doc.bufferedPageRange();
  for (let n = start; n < start + count; n++) {
    doc.switchToPage(n);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0; // writing into the margin must not start a new page
    doc.font('Helvetica').fontSize(8).text(printable(`${which} - page ${n - start + 1} of ${count}`), MARGIN, doc.page.height - MARGIN / 2 - 8, { width: doc.page.width - 2 * MARGIN, align: 'center', lineBreak: false });
    doc.page.margins.bottom = bottom;
  }
}

/** Renders the report; resolves with the PDF's bytes. */
export function reportPdf(view: ReportView): Promise<Uint8Array> {
  const report = view.report;
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: `${reportTitle(view)} - ${report.day} - ${report.terminalId}`, Author: report.merchantName, Creator: 'Kassa', ...(dateOf(report.madeAt) === undefined ? {} : { CreationDate: dateOf(report.madeAt) }) },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Uint8Array>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    doc.on('error', reject);
  });
  const w = new Writer(doc);
  header(w, view, report);
  body(w, view, report);
  footers(doc, `${reportTitle(view)} - ${report.day} - ${report.terminalId}`);
  doc.end();
  return done;
}
