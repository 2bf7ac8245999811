/**
 * A report as a file to hand over (the app API's `reports.file`, `kassa report --pdf/--csv`):
 * its bytes, a content type, and a name that says which report it is.
 */
import type { ReportFile, ReportView } from '../contract/report-schemas.ts';
import { reportCsv } from './report-csv.ts';

export type ReportFormat = 'pdf' | 'csv';

/** `kassa-z0007-2026-11-27-TERM-1.pdf`; an X report (not closed) says so: `kassa-x-2026-11-27-TERM-1.csv`. */
export function reportFileName(view: ReportView, format: ReportFormat): string {
  const { report } = view;
  const which = report.number === null ? 'x' : `z${String(report.number).padStart(4, '0')}`;
  return `kassa-${which}-${report.day}-${report.terminalId}.${format}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export async function reportBytes(view: ReportView, format: ReportFormat): Promise<Uint8Array> {
  if (format === 'csv') return new TextEncoder().encode(reportCsv(view));
  // pdfkit is loaded when a PDF is asked for: starting the host or the command line never pays for it.
  const { reportPdf } = await import('./report-pdf.ts');
  return reportPdf(view);
}

export async function reportFile(view: ReportView, format: ReportFormat): Promise<ReportFile> {
  const bytes = await reportBytes(view, format);
  return {
    fileName: reportFileName(view, format),
    contentType: format === 'pdf' ? 'application/pdf' : 'text/csv; charset=utf-8',
    base64: Buffer.from(bytes).toString('base64'),
  };
}
