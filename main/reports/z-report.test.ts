/**
 * The end-of-day (Z) report end to end, with real parts: the reference backend as a process,
 * an enrolled terminal run by the app host (its VSE a child process), payments made by payers
 * whose reservations the backend holds, settled through the backend — one refused by it — and
 * one left unsettled. The report is asked for, closed and downloaded over the app API (the
 * WebSocket the UI uses) and by `kassa report` as a real process; its PDF is read back by
 * PDF.js and its CSV by csv-parse, and both are reconciled with what the backend recorded.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SETTLEMENT_STATUS } from '../../protocol/index.ts';
import { kassa } from '../../test/support/cli.ts';
import { connect, type Connection, type HeadlessWorld, type Payer, startHeadlessWorld } from '../../test/support/headless.ts';
import { pdfText } from '../../test/support/pdf-text.ts';
import { waitUntil } from '../../test/support/wait.ts';
import type { ReportView } from '../contract/report-schemas.ts';
import type { AppHost } from '../host/app-host.ts';
import type { PaymentView } from '../contract/schemas.ts';
import { businessDay, dayOf } from './days.ts';
import { CSV_COLUMNS } from './report-csv.ts';

const HOUR_MS = 3_600_000;
/**
 * The test's business day is today in a zone where it is not close to midnight, so every
 * payment of the test falls on one day there wherever and whenever the test runs.
 */
const ZONE = ['Europe/Stockholm', 'Asia/Tokyo', 'America/New_York'].find((zone) => {
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date()));
  return hour >= 1 && hour <= 21;
})!;
const STATUS_NAME = Object.fromEntries(Object.entries(SETTLEMENT_STATUS).map(([name, code]) => [code, name]));

let world: HeadlessWorld;
let till: Connection;
let host: AppHost;
let dataDir: string;
let quietDir: string;
const files = mkdtempSync(join(tmpdir(), 'kassa-reports-'));
let today: string;

beforeAll(async () => {
  console.log(`business days in ${ZONE}`);
  world = await startHeadlessWorld();
  dataDir = await world.enrolledFolder('z');
  quietDir = await world.enrolledFolder('quiet'); // before the test moves the backend's clock
  // Settlement runs when the test says (settlement.settleNow), never by itself.
  const served = await world.serve(dataDir, { host: { timeZone: ZONE, settlement: { settleDelayMs: HOUR_MS, idleProbeMs: HOUR_MS, blockedRetryMs: HOUR_MS } } });
  host = served.host;
  till = await connect(served.server, { bearer: served.server.token });
  today = dayOf(Math.floor(Date.now() / 1000), ZONE);
}, 60_000);

afterAll(async () => {
  till?.socket.close();
  await world?.close();
  rmSync(files, { recursive: true, force: true });
});

async function pay(payer: Payer, amount: number, reference: string): Promise<PaymentView> {
  const request = await till.client.call('payments.request', { amount, reference });
  const verdict = await till.client.call('payments.submit', { text: await payer.pay(request.text), channel: 'camera' });
  if (verdict.outcome !== 'paid') throw new Error(`not paid: ${JSON.stringify(verdict)}`);
  await till.client.call('payments.dismiss', {});
  return verdict.payment;
}

const sum = (amounts: number[]) => amounts.reduce((a, b) => a + b, 0);
const base64Bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
type CsvRow = Record<(typeof CSV_COLUMNS)[number], string>;
const minor = (decimal: string) => Math.round(Number(decimal) * 100); // SEK: two digits

describe('the end-of-day (Z) report', () => {
  const paid: Record<string, PaymentView> = {};
  let z1: ReportView;

  it('before the first payment: today is open, an X report with nothing, no Z report before it', async () => {
    const view = await till.client.call('reports.view', {});
    expect(view).toMatchObject({ state: 'open', previous: null, report: { kind: 'X', number: null, day: today, timeZone: ZONE, totals: [], payments: [], till: 'Till 1', merchantName: 'Shop z' } });
    const { from, to } = businessDay(today, ZONE);
    expect(view.report.from).toBe(from);
    expect(view.report.to).toBeLessThan(to);
  });

  it('closes today into Z report 1 whose totals reconcile with the backend: settled = what it paid, refusals by its reasons, unsettled apart', async () => {
    const regular = await world.payer();
    paid.a = await pay(regular, 12_900, 'SALE-1');
    paid.b = await pay(regular, 5_000, 'SALE-2');
    expect((await till.client.call('settlement.settleNow', {})).counts).toMatchObject({ SETTLED: 2 });

    // A payer whose reservation has lapsed at the backend by the time the terminal settles.
    const late = await world.payer();
    paid.c = await pay(late, 250, 'SALE-3');
    const keeps = await world.payer(); // reserved now, paid after the last settlement: never sent
    await world.admin.advanceClock(15 * 24 * 3600);
    const second = await till.client.call('settlement.settleNow', {});
    expect(second.counts).toMatchObject({ REJECTED: 1 });
    paid.d = await pay(keeps, 700, 'SALE-4');

    // Closing now closes the day up to this second: wait until the VSE's clock has left the last payment's second.
    await waitUntil('the VSE clock to pass the last payment', async () => (await host.vse.call('status', {})).now > paid.d!.acceptedAt);

    await expect(till.client.call('reports.close', { day: today })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await till.client.call('auth.setPin', { pin: '2468' }); // a cashier setting the first PIN is unlocked as operator
    const closed = await till.client.call('reports.close', { day: today });
    expect(closed.created).toBe(true);
    z1 = closed.view;
    if (z1.state !== 'closed') throw new Error(`expected a closed day, got ${z1.state}`);
    const report = z1.report;
    expect(report).toMatchObject({ kind: 'Z', number: 1, day: today, timeZone: ZONE, till: 'Till 1', merchantName: 'Shop z', merchantId: 'M-z' });
    expect(report.payments.map((p) => p.iouId).sort()).toEqual(Object.values(paid).map((p) => p.iouId).sort());

    // The backend's own record of this terminal's IOUs is the oracle.
    const backend = await world.admin.terminalIous(report.terminalId);
    const answered = new Map(backend.map((iou) => [iou.iouId, iou]));
    const settledThere = backend.filter((iou) => ['SETTLED', 'ALREADY_SETTLED'].includes(STATUS_NAME[iou.status]!));
    const refusedThere = backend.filter((iou) => ['REJECTED', 'DOUBLE_SPEND'].includes(STATUS_NAME[iou.status]!));
    expect(settledThere.length + refusedThere.length).toBe(3);
    const neverSent = report.payments.filter((p) => !answered.has(p.iouId));
    expect(neverSent.map((p) => p.iouId)).toEqual([paid.d!.iouId]);

    expect(report.totals).toEqual([
      {
        currency: 'SEK',
        accepted: { count: 4, amount: sum(Object.values(paid).map((p) => p.amount)) },
        settled: { count: settledThere.length, amount: sum(settledThere.map((i) => i.amount)) },
        refused: { count: refusedThere.length, amount: sum(refusedThere.map((i) => i.amount)) },
        unsettled: { count: 1, amount: paid.d!.amount },
        counterDoubleSpends: { count: 0, amount: 0 },
      },
    ]);
    expect(report.totals[0]!.settled).toEqual({ count: 2, amount: 17_900 });
    expect(report.rejections).toEqual(refusedThere.map((i) => ({ currency: i.currency, state: STATUS_NAME[i.status], reason: i.reason, count: 1, amount: i.amount })));
    expect(report.rejections).toEqual([{ currency: 'SEK', state: 'REJECTED', reason: 'RESERVATION_EXPIRED', count: 1, amount: 250 }]);
    expect(z1.reconciliation).toMatchObject({ number: 1, totals: report.totals, changes: [], missing: 0, final: false });
  });

  it('closing the day again answers the same Z report; an earlier day can no longer be closed', async () => {
    const again = await till.client.call('reports.close', { day: today });
    expect(again.created).toBe(false);
    expect(again.view.report).toEqual(z1.report);
    const yesterday = dayOf(businessDay(today, ZONE).from - 1, ZONE);
    await expect(till.client.call('reports.close', { day: yesterday })).rejects.toMatchObject({ code: 'REPORT_REFUSED' });
    // Z report 1 began at today's start: yesterday's payments (none here) are in no Z report.
    expect(await till.client.call('reports.view', { day: yesterday })).toMatchObject({ state: 'unclosable', reason: 'LATER_DAY_CLOSED', coveredBy: [], report: { kind: 'X', totals: [] } });
    await expect(till.client.call('reports.view', { day: '2026-02-30' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('keeps the Z report as it was closed, and puts the backend\'s later answer beside it', async () => {
    expect((await till.client.call('settlement.settleNow', {})).counts).toMatchObject({ REJECTED: 1 }); // the held payer's reservation lapsed too
    const view = await till.client.call('reports.view', { day: today });
    if (view.state !== 'closed') throw new Error('expected the closed day');
    expect(view.report).toEqual(z1.report);
    expect(view.reconciliation.changes).toEqual([{ iouId: paid.d!.iouId, amount: 700, currency: 'SEK', was: 'PENDING', now: 'REJECTED', reason: 'RESERVATION_EXPIRED' }]);
    expect(view.reconciliation.totals[0]).toMatchObject({ settled: { count: 2, amount: 17_900 }, refused: { count: 2, amount: 950 }, unsettled: { count: 0, amount: 0 } });
    expect(view.reconciliation.final).toBe(true);
    z1 = view;
  });

  it('renders the Z report as a PDF whose text carries the number, the terminal, the day and zone, and every total', async () => {
    const file = await till.client.call('reports.file', { day: today, format: 'pdf' });
    const report = z1.report;
    expect(file).toMatchObject({ contentType: 'application/pdf', fileName: `kassa-z0001-${today}-${report.terminalId}.pdf` });
    const { lines, info } = await pdfText(base64Bytes(file.base64));
    expect(info.Title).toContain('Z report No. 1');
    expect(lines[0]).toBe('Z report No. 1');
    expect(lines).toEqual(
      expect.arrayContaining([
        'Merchant: Shop z (M-z)',
        `Terminal: ${report.terminalId} Till: Till 1`,
        `Business day: ${today} (time zone ${ZONE})`,
        'Accepted 4 188.50 SEK',
        'Settled (confirmed by the backend) 2 179.00 SEK',
        'Refused by the backend 1 2.50 SEK',
        'Unsettled (no answer yet) 1 7.00 SEK',
        'REJECTED RESERVATION_EXPIRED 1 2.50 SEK',
        'Payments (4)',
        'Refused by the backend 2 9.50 SEK',
        'Unsettled (no answer yet) 0 0.00 SEK',
        'Final: the backend has answered for every payment of this report.',
        `Z report No. 1 - ${today} - ${report.terminalId} - page 1 of 1`,
      ]),
    );
    for (const p of report.payments) expect(lines.some((line) => line.includes(p.iouId.slice(0, 16)) && line.includes(p.reference!))).toBe(true);
    expect(lines.join(' ')).toContain(`SHA-256 of the signed content: ${report.digest}`);
  });

  it('exports the Z report as CSV that parses back and reconciles: payment rows add up to the totals, every row names Z 1', async () => {
    const file = await till.client.call('reports.file', { day: today, format: 'csv' });
    expect(file).toMatchObject({ contentType: 'text/csv; charset=utf-8', fileName: `kassa-z0001-${today}-${z1.report.terminalId}.csv` });
    const rows = parse(Buffer.from(file.base64, 'base64').toString('utf8'), { columns: true }) as CsvRow[];
    expect(Object.keys(rows[0]!)).toEqual([...CSV_COLUMNS]);
    expect(new Set(rows.map((r) => `${r.kind}|${r.z_number}|${r.day}|${r.time_zone}|${r.terminal_id}|${r.till}`))).toEqual(new Set([`Z|1|${today}|${ZONE}|${z1.report.terminalId}|Till 1`]));
    const total = (record: string, figure: string) => rows.find((r) => r.record === record && r.currency === 'SEK' && r.figure === figure)!;
    const payments = rows.filter((r) => r.record === 'payment');
    expect(payments).toHaveLength(4);
    const amountOf = (states: string[]) => sum(payments.filter((p) => states.includes(p.figure)).map((p) => minor(p.amount)));
    expect(minor(total('total', 'accepted').amount)).toBe(amountOf(['PENDING', 'SETTLED', 'ALREADY_SETTLED', 'REJECTED', 'DOUBLE_SPEND']));
    expect(minor(total('total', 'settled').amount)).toBe(amountOf(['SETTLED', 'ALREADY_SETTLED']));
    expect(minor(total('total', 'refused').amount)).toBe(amountOf(['REJECTED', 'DOUBLE_SPEND']));
    expect(minor(total('total', 'unsettled').amount)).toBe(amountOf(['PENDING']));
    expect(['accepted', 'settled', 'refused', 'unsettled'].map((f) => [f, total('total', f).count, total('total', f).amount])).toEqual([
      ['accepted', '4', '188.50'],
      ['settled', '2', '179.00'],
      ['refused', '1', '2.50'],
      ['unsettled', '1', '7.00'],
    ]);
    expect(rows.filter((r) => r.record === 'rejection').map((r) => [r.figure, r.reason, r.count, r.amount])).toEqual([['REJECTED', 'RESERVATION_EXPIRED', '1', '2.50']]);
    expect([total('now', 'settled').amount, total('now', 'refused').amount, total('now', 'unsettled').count]).toEqual(['179.00', '9.50', '0']);
    expect(payments.map((p) => p.reference).sort()).toEqual(['SALE-1', 'SALE-2', 'SALE-3', 'SALE-4']);
  });
});

describe('kassa report', () => {
  it('closes a day with nothing into its own Z report 1, saves PDF and CSV, and prints the same report again later', async () => {
    const quiet = quietDir;
    const env = { ...process.env, TZ: ZONE };
    const pdf = join(files, 'quiet.pdf');
    const csv = join(files, 'quiet.csv');
    const closed = await kassa(['report', '--close', '--data', quiet, '--pdf', pdf, '--csv', csv], { env, timeoutMs: 60_000 });
    expect(closed.stderr).toContain('written to');
    expect(closed.code).toBe(0);
    expect(closed.stdout).toContain('Z report No. 1');
    expect(closed.stdout).toContain(`Day:        ${today} (time zone ${ZONE})`);
    expect(closed.stdout).toContain('Totals:     no payments');

    const { lines } = await pdfText(new Uint8Array(readFileSync(pdf)));
    expect(lines).toEqual(expect.arrayContaining(['Z report No. 1', 'Merchant: Shop quiet (M-quiet)', `Business day: ${today} (time zone ${ZONE})`, 'Payments (0)', 'No payments.']));
    const rows = parse(readFileSync(csv, 'utf8'), { columns: true }) as CsvRow[];
    expect(rows.map((r) => [r.record, r.kind, r.z_number, r.day])).toEqual([['report', 'Z', '1', today]]);

    const json = await kassa(['report', '--json', '--day', today, '--data', quiet], { env, timeoutMs: 60_000 });
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout) as ReportView;
    expect(view).toMatchObject({ state: 'closed', report: { number: 1, day: today, timeZone: ZONE, totals: [], payments: [] }, reconciliation: { final: true } });

    const bad = await kassa(['report', '--day', '2026-13-01', '--data', quiet], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('not a calendar day');
  });
});
