/**
 * End-of-day reports on the host (docs/reports.md): a business day in the terminal's time
 * zone, put to the VSE (which numbers, freezes, signs and stores the Z report), answered as the
 * app API's report view, and rendered as PDF or CSV. The app API and `kassa report` share it.
 */
import type { VseParams, VseResult } from '../../vse/contract/rpc.ts';
import { AppError } from '../contract/app-api.ts';
import type { RejectionTotal, ReportDocument, ReportView } from '../contract/report-schemas.ts';
import { paymentView } from '../payments/payment-service.ts';
import { businessDay, checkTimeZone, dayOf, DayError } from './days.ts';

/** What the service needs of the VSE: its two report calls. */
export interface ReportVse {
  call(method: 'reportDay', params: VseParams<'reportDay'>): Promise<VseResult<'reportDay'>>;
  call(method: 'closeDay', params: VseParams<'closeDay'>): Promise<VseResult<'closeDay'>>;
}

export interface ReportServiceOptions {
  vse: ReportVse;
  /** The terminal's time zone (IANA name): its business days are calendar days there. */
  timeZone: string;
  /** The till's name as the host's settings give it now (a Z report keeps the one it was closed with). */
  till: () => string;
  now?: () => number;
}

type Figures = Extract<VseResult<'reportDay'>, { state: 'open' }>['figures'];
type ZReport = VseResult<'closeDay'>['report'];

/** Refused payments by currency, state and reason, in a stable order. */
export function rejectionsOf(payments: readonly { currency: string; amount: number; settlement: string; settlementReason: string | null }[]): RejectionTotal[] {
  const rows = new Map<string, RejectionTotal>();
  for (const p of payments) {
    if (p.settlement !== 'REJECTED' && p.settlement !== 'DOUBLE_SPEND') continue;
    const key = JSON.stringify([p.currency, p.settlement, p.settlementReason]);
    const row = rows.get(key) ?? { currency: p.currency, state: p.settlement, reason: p.settlementReason, count: 0, amount: 0 };
    row.count += 1;
    row.amount += p.amount;
    rows.set(key, row);
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}

function documentOf(figures: Figures, z: Pick<ZReport, 'number' | 'digest' | 'auditSeq'> | null): ReportDocument {
  const payments = figures.payments.map(paymentView);
  return {
    kind: z === null ? 'X' : 'Z',
    number: z?.number ?? null,
    day: figures.day,
    timeZone: figures.timeZone,
    from: figures.from,
    to: figures.to,
    madeAt: figures.madeAt,
    terminalId: figures.terminalId,
    merchantId: figures.merchantId,
    merchantName: figures.merchantName,
    till: figures.till,
    totals: figures.totals,
    rejections: rejectionsOf(payments),
    payments,
    doubleSpends: figures.doubleSpends,
    digest: z?.digest ?? null,
    auditSeq: z?.auditSeq ?? null,
  };
}

/** A Z report as the app API shows it: the signed content, without the signature bytes. */
export function zDocument(report: ZReport): ReportDocument {
  return documentOf(report, report);
}

export function reportViewOf(answer: VseResult<'reportDay'>): ReportView {
  switch (answer.state) {
    case 'closed':
      return { state: 'closed', report: zDocument(answer.report), reconciliation: answer.reconciliation };
    case 'open':
      return { state: 'open', report: documentOf(answer.figures, null), previous: answer.previous };
    case 'unclosable':
      return { state: 'unclosable', reason: answer.reason, report: documentOf(answer.figures, null), coveredBy: answer.coveredBy };
  }
}

export class ReportService {
  readonly timeZone: string;
  private readonly options: ReportServiceOptions;

  constructor(options: ReportServiceOptions) {
    this.options = options;
    this.timeZone = checkTimeZone(options.timeZone);
  }

  /** Today in the terminal's time zone. */
  today(): string {
    return dayOf(this.options.now?.() ?? Math.floor(Date.now() / 1000), this.timeZone);
  }

  private params(day: string): VseParams<'reportDay'> {
    try {
      const { from, to } = businessDay(day, this.timeZone);
      return { day, timeZone: this.timeZone, dayFrom: from, dayTo: to, till: this.options.till() };
    } catch (error) {
      if (error instanceof DayError) throw new AppError('BAD_REQUEST', error.message, { cause: error });
      throw error;
    }
  }

  /** The day's report: its Z report when closed, else the running (X) figures. */
  async view(day: string = this.today()): Promise<ReportView> {
    return reportViewOf(await this.options.vse.call('reportDay', this.params(day)));
  }

  /** Closes the day (the next Z number); a closed day answers its Z report again (`created: false`). */
  async close(day: string): Promise<{ created: boolean; view: ReportView }> {
    const { created } = await this.options.vse.call('closeDay', this.params(day));
    return { created, view: await this.view(day) };
  }
}
