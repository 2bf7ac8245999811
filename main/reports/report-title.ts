/** What a report is, in its title: its Z number, or why it has none. */
import type { ReportView } from '../contract/report-schemas.ts';

/** The report's title line. */
export function reportTitle(view: ReportView): string {
  switch (view.state) {
    case 'closed':
      return `Z report No. ${view.report.number}`;
    case 'open':
      return 'X report (the day is not closed)';
    case 'unclosable':
      return view.reason === 'NOT_BEGUN' ? 'X report (the day has not begun)' : 'Day figures (not closable: a later day is closed)';
  }
}
