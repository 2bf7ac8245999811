/**
 * A cash register pays through the host end to end, with real parts only (test/support/ecr.ts):
 * the example register speaks nexo JSON over HTTP to the ECR routes of a real host; the payer's
 * wallet reads the KR1: from the till and its KP1: arrives through the serial scanner emulator on
 * a pty. Every request the register sent and every answer the host gave is checked against the
 * published JSON Schemas (docs/ecr-schemas) with ajv.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Exchange } from '../../sim/ecr/example-register.ts';
import { startEcrWorld, type EcrWorld } from '../../test/support/ecr.ts';
import { revokeRegister } from './registers.ts';
import { SCHEMA_FOLDER } from './export-schemas.ts';

const ajv = new Ajv2020({ strict: true, allErrors: true });
const validators = new Map(readdirSync(SCHEMA_FOLDER).map((file) => [file.replace(/\.json$/, ''), ajv.compile(JSON.parse(readFileSync(join(SCHEMA_FOLDER, file), 'utf8')))]));

/** Checks a wire message against its published schema; fails the test naming what is wrong. */
function conforms(schema: string, text: string): void {
  const validate = validators.get(schema);
  if (validate === undefined) throw new Error(`no schema ${schema}`);
  const ok = validate(JSON.parse(text));
  expect(ok, `${schema}: ${ajv.errorsText(validate.errors)}\n${text}`).toBe(true);
}

const REQUEST_SCHEMA: Record<string, string> = {
  Payment: 'payment-request',
  Abort: 'abort-request',
  TransactionStatus: 'transaction-status-request',
  GetTotals: 'get-totals-request',
};
const RESPONSE_SCHEMA: Record<string, string> = { Payment: 'payment-response', TransactionStatus: 'transaction-status-response', GetTotals: 'get-totals-response' };

/** Checks an exchange both ways: the register's request and the host's answer. */
function checkExchange(exchange: Exchange): void {
  const category = (JSON.parse(exchange.request) as { SaleToPOIRequest: { MessageHeader: { MessageCategory: string } } }).SaleToPOIRequest.MessageHeader.MessageCategory;
  conforms(REQUEST_SCHEMA[category]!, exchange.request);
  if (exchange.status === 200 && category !== 'Abort') conforms(RESPONSE_SCHEMA[category]!, exchange.text);
  if (exchange.status === 400) conforms('reject-notification', exchange.text);
}

let world: EcrWorld;
beforeAll(async () => {
  world = await startEcrWorld();
}, 120_000);
afterAll(() => world?.close());

/** What the tests remember for the restart at the end. */
const paid: { serviceId?: string; iouId?: string; receipt?: string } = {};
let abortedServiceId: string | undefined;

describe('a cash register through the nexo API', () => {
  it('pays end to end: Payment waits, the payer scans, the answer is Success with the IOU id, the amount and the KA1: receipt', async () => {
    const register = world.register();
    const paying = register.pay({ amount: '12.90', currency: 'SEK', reference: 'SALE-1001' });
    const request = await world.openRequestText();
    expect(world.running.host.payments.state).toMatchObject({ phase: 'awaiting', request: { amount: 1290, currency: 'SEK', origin: 'ecr', reference: 'SALE-1001' } });
    await world.scanner.scan(world.payer.pay(request));
    const answer = await paying;
    checkExchange(answer);
    expect(answer.status).toBe(200);
    expect(answer.outcome).toMatchObject({ result: 'Success', authorizedAmount: '12.90', currency: 'SEK', poiTransactionId: expect.stringMatching(/^[0-9a-f]{64}$/), receipt: expect.stringMatching(/^KA1:/) });
    expect(answer.text).toContain('"AuthorizedAmount":12.90');
    const body = answer.body as { SaleToPOIResponse: { MessageHeader: object; PaymentResponse: { SaleData: object } } };
    expect(body.SaleToPOIResponse.MessageHeader).toEqual({ ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Response', ServiceID: answer.serviceId, SaleID: 'POS-1', POIID: register.poiId });
    expect(body.SaleToPOIResponse.PaymentResponse.SaleData).toMatchObject({ SaleTransactionID: { TransactionID: 'SALE-1001' } });
    // The same payment the VSE stored, with the register's reference and the same receipt.
    const stored = await world.running.host.vse.call('getPayment', { iouId: answer.outcome.poiTransactionId! });
    expect(stored).toMatchObject({ payment: { amount: 1290, currency: 'SEK', reference: 'SALE-1001', channel: 'qr-scanner' }, receipt: answer.outcome.receipt });
    Object.assign(paid, { serviceId: answer.serviceId, iouId: answer.outcome.poiTransactionId, receipt: answer.outcome.receipt });
  });

  it('aborts a payment in progress: the Payment answers Failure/Aborted and a late payment for it is refused', async () => {
    const register = world.register();
    const serviceId = register.serviceId();
    const paying = register.pay({ amount: '4.50', currency: 'SEK', reference: 'SALE-1002', serviceId });
    const request = await world.openRequestText();
    const requestId = world.running.host.payments.state.request!.requestId;
    const status = await register.transactionStatus({ serviceId });
    checkExchange(status);
    expect(status).toMatchObject({ result: 'Failure', errorCondition: 'InProgress' });

    const abort = await register.abort(serviceId);
    checkExchange(abort);
    expect(abort.status).toBe(200);
    expect(abort.text).toBe('');
    const answer = await paying;
    checkExchange(answer);
    expect(answer.outcome).toMatchObject({ result: 'Failure', errorCondition: 'Aborted', poiTransactionId: requestId, additional: { error: 'CANCELLED', requestId } });
    expect(world.running.host.payments.state).toMatchObject({ phase: 'cancelled', by: 'ecr' });

    // The payer pays after all: the VSE refuses it, the register's sale stays unpaid.
    const cashier = world.running.api.openSession('cashier');
    const late = await cashier.call('payments.submit', { text: world.payer.pay(request), channel: 'keyboard' });
    cashier.close();
    expect(late).toMatchObject({ ok: true, result: { outcome: 'rejected', reason: 'REQUEST_EXPIRED' } });
    abortedServiceId = serviceId;
  });

  it('answers Busy while a payment is open, and Cancel when the cashier cancels it at the till', async () => {
    const register = world.register();
    const first = register.pay({ amount: '7.00', currency: 'SEK', reference: 'SALE-1003' });
    await world.openRequestText();
    const second = await world.register({ saleId: 'POS-2' }).pay({ amount: '3.00', currency: 'SEK', reference: 'SALE-2001' });
    checkExchange(second);
    expect(second.outcome).toMatchObject({ result: 'Failure', errorCondition: 'Busy', additional: { error: 'REQUEST_OPEN' } });
    expect(second.outcome.poiTransactionId).toBeUndefined();

    const cashier = world.running.api.openSession('cashier');
    expect(await cashier.call('payments.cancel', {})).toEqual({ ok: true, result: { cancelled: true } });
    cashier.close();
    const answer = await first;
    checkExchange(answer);
    expect(answer.outcome).toMatchObject({ result: 'Failure', errorCondition: 'Cancel', additional: { error: 'CANCELLED' } });
  });

  it('refuses a ServiceID this register used already (a resent Payment must not pay twice)', async () => {
    const again = await world.register().pay({ amount: '12.90', currency: 'SEK', reference: 'SALE-1001', serviceId: paid.serviceId! });
    checkExchange(again);
    expect(again.outcome).toMatchObject({ result: 'Failure', errorCondition: 'NotAllowed', additional: { error: 'DUPLICATE_SERVICE_ID' } });
    expect(world.running.host.payments.state.phase).not.toBe('awaiting');
  });

  it('refuses amounts that are not exact in the currency, with the field and what is allowed', async () => {
    const register = world.register();
    const cases: [string, string, RegExp][] = [
      ['12.345', 'SEK', /more decimals than SEK has minor units: at most 2 decimals/],
      ['-5', 'SEK', /negative/],
      ['1e3', 'SEK', /not a plain decimal.*no exponent/],
      ['99999999999999999999.99', 'SEK', /too large/],
      ['0.00', 'SEK', /zero/],
      ['1290.5', 'JPY', /more decimals than JPY has minor units: no decimals/],
    ];
    for (const [amount, currency, problem] of cases) {
      const answer = await register.pay({ amount, currency, reference: 'SALE-BAD' });
      // The request is wrong on purpose (some of them against the schema too); the answer is not.
      conforms('payment-response', answer.text);
      expect(answer.outcome, amount).toMatchObject({
        result: 'Failure',
        errorCondition: 'NotAllowed',
        additional: { error: 'BAD_AMOUNT', field: 'SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.RequestedAmount', message: expect.stringMatching(problem) },
      });
    }
    // Exact but above the terminal's offline cap: the VSE's policy refuses the request.
    const capped = await register.pay({ amount: '90000000.00', currency: 'SEK', reference: 'SALE-BIG' });
    expect(capped.outcome).toMatchObject({ result: 'Failure', errorCondition: 'NotAllowed', additional: { error: 'REQUEST_REFUSED', message: expect.stringMatching(/offline cap/) } });
    expect(world.running.host.payments.state.phase).not.toBe('awaiting');
  });

  it('names the field of a malformed message, and rejects what it cannot read', async () => {
    const register = world.register();
    const noCurrency = await register.post(
      JSON.stringify({
        SaleToPOIRequest: {
          MessageHeader: { ProtocolVersion: '3.0', MessageClass: 'Service', MessageCategory: 'Payment', MessageType: 'Request', ServiceID: '77', SaleID: 'POS-1', POIID: 'K' },
          PaymentRequest: { SaleData: { SaleTransactionID: { TransactionID: 'X', TimeStamp: '2025-01-01T10:00:00Z' } }, PaymentTransaction: { AmountsReq: { RequestedAmount: 1 } } },
        },
      }),
    );
    expect(noCurrency.status).toBe(200);
    conforms('payment-response', noCurrency.text);
    expect(noCurrency.text).toMatch(/"ErrorCondition":"MessageFormat"/);
    expect(noCurrency.text).toContain('field=SaleToPOIRequest.PaymentRequest.PaymentTransaction.AmountsReq.Currency');

    // A field the answer repeats, wrong: the answer stays within its schema and names the field.
    const badTime = await register.post(noCurrency.request.replace('"RequestedAmount":1}', '"RequestedAmount":1,"Currency":"SEK"}').replace('2025-01-01T10:00:00Z', 'yesterday').replace('"ServiceID":"77"', '"ServiceID":"78"'));
    expect(badTime.status).toBe(200);
    conforms('payment-response', badTime.text);
    expect(badTime.text).toContain('field=SaleToPOIRequest.PaymentRequest.SaleData.SaleTransactionID.TimeStamp');

    for (const body of ['{not json', '{"SaleToPOIRequest":{"MessageHeader":{"MessageCategory":"Refund"}}}', '[]']) {
      const rejected = await register.post(body);
      expect(rejected.status, body).toBe(400);
      conforms('reject-notification', rejected.text);
      expect(rejected.text).toContain('"EventToNotify":"Reject"');
    }
    const unreadable = await register.post('{"SaleToPOIRequest":{"MessageHeader":{"MessageCategory":"Refund"}}}');
    expect(decodeURIComponent(unreadable.text)).toMatch(/field=SaleToPOIRequest\.MessageHeader\.ProtocolVersion/);

    // Too large, or not JSON at all: refused before anything reads it.
    const headers = { authorization: `Bearer ${world.token}` };
    const huge = await fetch(`${world.running.url}/ecr/nexo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: `{"pad":"${'x'.repeat(70_000)}"}` });
    expect(huge.status).toBe(413);
    const form = await fetch(`${world.running.url}/ecr/nexo`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    expect(form.status).toBe(415);
  });

  it('gives today\'s totals per currency', async () => {
    const totals = await world.register().totals();
    checkExchange(totals);
    expect(totals.status).toBe(200);
    expect(totals.totals).toEqual({ SEK: { count: 1, amount: '12.90' } });
    expect(totals.text).toMatch(/"POIReconciliationID":"\d{4}-\d{2}-\d{2}"/);
  });

  it('lets in only a known, unrevoked register token (401 otherwise)', async () => {
    const register = world.register();
    const body = register.sent[0] ?? '{}';
    expect((await register.post(body, '', 'kassa_ecr_not-a-token')).status).toBe(401);
    const missing = await fetch(`${world.running.url}/ecr/nexo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await missing.json()).toMatchObject({ error: { code: 'UNAUTHORIZED' } });

    const before = world.clients;
    world.clients = revokeRegister(world.clients, 'front-register').clients;
    try {
      const revoked = await register.totals();
      expect(revoked.status).toBe(401);
      expect(revoked.body).toMatchObject({ error: { code: 'UNAUTHORIZED', message: expect.stringMatching(/unknown or revoked/) } });
    } finally {
      world.clients = before;
    }
  });

  it('gives an ecr session the register\'s calls only: cashier and operator calls are FORBIDDEN', async () => {
    const session = world.running.api.openSession('ecr');
    try {
      for (const [method, params] of [
        ['payments.submit', { text: 'KP1:X', channel: 'keyboard' }],
        ['payments.list', { limit: 10 }],
        ['payments.get', { iouId: paid.iouId }],
        ['reports.view', {}],
        ['settlement.settleNow', {}],
        ['auth.unlock', { pin: '1234' }],
        ['settings.get', {}],
        ['settings.update', { till: 'Mine' }],
        ['terminal.enroll', { backendUrl: 'http://127.0.0.1:1', token: 't', rootKeys: [`02${'11'.repeat(32)}`] }],
      ] as const) {
        expect(await session.call(method, params), method).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      }
      expect(await session.call('payments.state', {})).toMatchObject({ ok: true });
    } finally {
      session.close();
    }
    // And a cashier may not claim a register's service key.
    const cashier = world.running.api.openSession('cashier');
    expect(await cashier.call('payments.request', { amount: 100, serviceKey: 'front-register/1/POS-1' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    cashier.close();
  });

  it('reports a past payment by ServiceID and by SaleTransactionID after the host restarted, to its own register only', { timeout: 60_000 }, async () => {
    // A Payment still waiting when the host goes away is answered, not left hanging.
    const waiting = world.register();
    const waitingServiceId = waiting.serviceId();
    const interrupted = waiting.pay({ amount: '3.30', currency: 'SEK', reference: 'SALE-1005', serviceId: waitingServiceId });
    const stillPayable = await world.openRequestText();
    await world.restart();
    const cut = await interrupted;
    checkExchange(cut);
    expect(cut.outcome).toMatchObject({ result: 'Failure', errorCondition: 'UnavailableService', additional: { error: 'HOST_CLOSING' } });

    const register = world.register();
    // Its request outlived the host in the VSE: still payable, so in progress; an Abort cancels it there.
    expect(await register.transactionStatus({ serviceId: waitingServiceId })).toMatchObject({ result: 'Failure', errorCondition: 'InProgress' });
    const abort = await register.abort(waitingServiceId);
    expect(abort.status).toBe(200);
    expect(await register.transactionStatus({ serviceId: waitingServiceId })).toMatchObject({ result: 'Success', payment: { result: 'Failure', errorCondition: 'Cancel' } });
    const cashier = world.running.api.openSession('cashier');
    expect(await cashier.call('payments.submit', { text: world.payer.pay(stillPayable), channel: 'keyboard' })).toMatchObject({ ok: true, result: { outcome: 'rejected', reason: 'REQUEST_EXPIRED' } });
    cashier.close();

    for (const by of [{ serviceId: paid.serviceId! }, { reference: 'SALE-1001' }]) {
      const status = await register.transactionStatus(by);
      checkExchange(status);
      expect(status.result, JSON.stringify(by)).toBe('Success');
      expect(status.payment).toMatchObject({ result: 'Success', poiTransactionId: paid.iouId, receipt: paid.receipt, authorizedAmount: '12.90', currency: 'SEK' });
      expect(status.body).toMatchObject({
        SaleToPOIResponse: {
          TransactionStatusResponse: {
            MessageReference: { MessageCategory: 'Payment', ServiceID: paid.serviceId, SaleID: 'POS-1' },
            RepeatedMessageResponse: { MessageHeader: { MessageCategory: 'Payment', MessageType: 'Response', ServiceID: paid.serviceId } },
          },
        },
      });
    }
    // The aborted one: ended unpaid (who cancelled it is not kept across a restart).
    const aborted = await register.transactionStatus({ serviceId: abortedServiceId! });
    checkExchange(aborted);
    expect(aborted).toMatchObject({ result: 'Success', payment: { result: 'Failure', errorCondition: 'Cancel', additional: { error: 'CANCELLED' } } });

    const unknown = await register.transactionStatus({ serviceId: '999999' });
    checkExchange(unknown);
    expect(unknown).toMatchObject({ result: 'Failure', errorCondition: 'NotFound' });
    // Another SaleID of the same credential does not see POS-1's ServiceIDs.
    expect(await world.register({ saleId: 'POS-9' }).transactionStatus({ serviceId: paid.serviceId! })).toMatchObject({ result: 'Failure', errorCondition: 'NotFound' });

    // And the restarted host takes the next payment.
    const paying = register.pay({ amount: '2.50', currency: 'SEK', reference: 'SALE-1004' });
    await world.scanner.scan(world.payer.pay(await world.openRequestText()));
    expect((await paying).outcome).toMatchObject({ result: 'Success', authorizedAmount: '2.50' });
  });
});
