/**
 * The demo's story, Reserve → Pay → Settle, told step by step with real parts: a backend,
 * two enrolled terminals (each with its VSE process), a payer's wallet, a network that goes
 * away and comes back. Reason codes are printed exactly as the parts answer them.
 */
import {
  bundleText,
  COSE_SIGN1_TAG,
  decodePaymentBundle,
  encodeDeterministic,
  encodeObject,
  formatAmount,
  iou as iouSchema,
  PREFIX,
  Tag,
} from '../../../protocol/index.ts';
import { payFromWallet } from '../../wallet/persistent-wallet.ts';
import type { CycleReport } from '../../../main/settlement/settlement-service.ts';
import type { AttentionItem } from '../../../main/settlement/settlement-status.ts';
import type { CliIo } from '../../../main/cli/command.ts';
import { attentionText, failureText, totalsText } from '../../../main/cli/settlement-text.ts';
import { shortHex, type DemoTerminal, type Stage } from './stage.ts';

const CURRENCY = 'SEK';
const ACCOUNT = 'alice';
const MERCHANT = { merchantId: 'M-KAFFE', merchantName: 'Kaffebaren Demo' };
const money = (minor: number) => formatAmount(minor, CURRENCY);

function short(text: string, keep = 60): string {
  return text.length <= keep ? text : `${text.slice(0, keep)}… (${text.length} characters)`;
}

export class Story {
  private readonly io: CliIo;
  private readonly stage: Stage;
  /** What each accepted IOU was, to name it when its settlement result comes back. */
  private readonly accepted = new Map<string, { amount: number; seq: number }>();
  private walletPath = '';

  constructor(io: CliIo, stage: Stage) {
    this.io = io;
    this.stage = stage;
  }

  private say(label: string, text: string): void {
    this.io.stdout(`${label.padEnd(10)} ${text}\n`);
  }

  private note(text: string): void {
    this.io.stdout(`\n${text}\n\n`);
  }

  async tell(): Promise<void> {
    const { stage } = this;
    this.io.stdout('Kassa demo: Reserve → Pay → Settle with a real backend and real terminals, on this machine.\n\n');

    await stage.startBackend();
    this.say('Backend', `the reference backend listens on ${stage.backend.url} (process ${stage.backend.child.pid}); scheme root key ${shortHex(stage.rootKey)}`);
    this.say('Files', `everything lives in ${stage.folder} and is removed at the end`);
    await stage.admin.createAccount(ACCOUNT, CURRENCY, 100_000);
    this.say('Account', `the payer's account "${ACCOUNT}" holds ${money(100_000)}`);

    const terminals: DemoTerminal[] = [];
    for (const name of ['KAFFE-1', 'KAFFE-2']) {
      const { token } = await stage.admin.createEnrollmentToken({ ...MERCHANT, terminalId: name });
      const terminal = await stage.terminal(name, token);
      terminals.push(terminal);
      this.say('Enroll', `terminal ${name} made its key inside its VSE (process ${terminal.pid}); the backend certified it with a one-time token; trust list installed`);
    }
    const [one, two] = terminals as [DemoTerminal, DemoTerminal];

    const wallet = await stage.wallet(ACCOUNT, 20_000, CURRENCY);
    this.walletPath = wallet.path;
    this.say('Reserve', `the payer's wallet reserved ${money(20_000)} online: reservation ${shortHex(wallet.reservationId)}; the backend holds that much of "${ACCOUNT}"`);

    this.note('The network is gone from here on: the terminals\' line to the backend drops every connection.');
    stage.goOffline();
    const offline = await one.host.settlement.settleNow();
    this.say('Status', `${one.name} tried to reach the backend: ${one.host.settlement.status.connectivity} (${offline.failure ? failureText(offline.failure) : 'no failure?'})`);

    const first = await this.sale(one, 12_900);
    await this.sale(one, 4_550);
    const forged = await one.host.vse.call('accept', { text: forgeAmount(first, 455_000), context: { channel: 'test' } });
    this.say('Forged', `the first IOU with its amount raised to ${money(455_000)}: ${one.name} says ${verdict(forged)}`);
    await this.sale(one, 2_000, { doubleSpend: true, label: 'Cheat', story: 'the payer\'s wallet cheats: a second IOU under seq 2', after: `(${one.name} holds a seq 2 already; both signed IOUs are kept)` });
    await this.sale(two, 6_000, {
      doubleSpend: true,
      label: 'Cheat',
      story: `the same trick at ${two.name}, which cannot know what ${one.name} took`,
      after: '— only the backend can catch this one',
    });
    const request = await one.host.vse.call('createPaymentRequest', { amount: 10_000, currency: CURRENCY, ttlSeconds: 120 });
    const overspend = await payFromWallet(this.walletPath, request.text, { now: Math.floor(Date.now() / 1000) });
    this.say('Overspend', `${one.name} asks for ${money(10_000)}, more than is left: the wallet refuses (${overspend.ok ? 'paid (!)' : overspend.refusal})`);
    for (const terminal of terminals) {
      const status = await terminal.host.settlement.refreshView();
      this.say('Status', `${terminal.name} holds ${totalsText(status.unsettled)} not yet settled`);
    }

    this.note('The network is back.');
    stage.goOnline();
    for (const terminal of terminals) this.settled(terminal, await terminal.host.settlement.settleNow({ details: true }));
    this.say('Why', `seq 2 reached the backend from ${one.name} first, and ${money(12_900)} + ${money(4_550)} + ${money(6_000)} is more than the ${money(20_000)} reserved`);

    const merchant = await stage.admin.merchant(MERCHANT.merchantId);
    const reservation = await stage.admin.reservation(wallet.reservationId);
    const audit = await stage.admin.audit();
    this.say('Books', `${MERCHANT.merchantName} received ${money(merchant?.balances[0]?.balance ?? 0)}; ${money(reservation.amount - reservation.settled)} of the reservation stays held until it expires, then returns to "${ACCOUNT}"`);
    this.say('Evidence', `the backend kept ${audit.conflicts} conflict(s) between signed IOUs of reservation ${shortHex(wallet.reservationId)}; its books balance: ${audit.ok ? 'ok' : audit.problems.join('; ')}`);
    for (const terminal of terminals) {
      const status = await terminal.host.settlement.refreshView();
      const attention = status.attention.length === 0 ? 'nothing needs attention' : `needs attention: ${status.attention.map(shortAttention).join('; ')}`;
      this.say('Status', `${terminal.name}: unsettled ${totalsText(status.unsettled)}; ${attention}`);
    }
    this.io.stdout(`\nTry it by hand: ./kassa backend, ./kassa enroll, ./kassa request, ./kassa wallet pay, ./kassa accept,\n./kassa settle and ./kassa status (docs/settlement.md walks through it).\n`);
  }

  /** The terminal asks, the wallet pays (or double-spends), the terminal's VSE decides. */
  private async sale(terminal: DemoTerminal, amount: number, trick?: { doubleSpend: true; label: string; story: string; after: string }): Promise<string> {
    const request = await terminal.host.vse.call('createPaymentRequest', { amount, currency: CURRENCY, ttlSeconds: 120 });
    if (trick === undefined) this.say('Request', `${terminal.name} asks for ${money(amount)}: ${short(request.text)}`);
    const paid = await payFromWallet(this.walletPath, request.text, { now: Math.floor(Date.now() / 1000), doubleSpend: trick !== undefined });
    if (!paid.ok) throw new Error(`the demo wallet refused: ${paid.refusal} ${paid.detail}`);
    const { payment } = paid;
    const outcome = await terminal.host.vse.call('accept', { text: payment.text, context: { channel: 'test' } });
    if (trick === undefined) {
      this.say('Pay', `the wallet checked the request and signed IOU seq ${payment.seq} (spent before: ${money(payment.spentBefore)}): ${short(payment.text)}`);
    }
    if (outcome.outcome === 'accepted') this.accepted.set(outcome.payment.iouId, { amount, seq: payment.seq });
    const what = outcome.outcome === 'accepted' ? `${verdict(outcome)} offline and stored; receipt ${short(outcome.receipt, 24)}` : verdict(outcome);
    if (trick === undefined) this.say('Accept', `${terminal.name}: ${what}`);
    else this.say(trick.label, `${trick.story}, for ${money(amount)}: ${terminal.name} says ${outcome.outcome === 'accepted' ? 'ACCEPTED' : outcome.reason} ${trick.after}`);
    return payment.text;
  }

  private settled(terminal: DemoTerminal, report: CycleReport): void {
    if (!report.ok) throw new Error(`${terminal.name} could not settle: ${report.failure ? failureText(report.failure) : 'unknown'}`);
    const lines = (report.results ?? []).map((result) => {
      const known = this.accepted.get(result.iouId);
      const what = known ? `${money(known.amount)} (seq ${known.seq})` : `IOU ${shortHex(result.iouId)}`;
      return `${result.status}${result.reason ? ` (${result.reason})` : ''} ${what}`;
    });
    this.say('Settle', `${terminal.name} → backend: ${lines.length === 0 ? 'nothing to settle' : lines.join(', ')}`);
  }
}

function shortAttention(item: AttentionItem): string {
  return item.kind === 'payment-refused' ? `${item.status}${item.reason ? ` (${item.reason})` : ''} ${money(item.amount)}, not paid; the signed IOU is kept as evidence` : attentionText(item);
}

function verdict(outcome: { outcome: 'accepted'; duplicate: boolean } | { outcome: 'rejected'; reason: string }): string {
  return outcome.outcome === 'accepted' ? (outcome.duplicate ? 'ACCEPTED (again)' : 'ACCEPTED') : outcome.reason;
}

/** The payment with its IOU's amount changed and the wallet's signature kept. */
function forgeAmount(paymentText: string, amount: number): string {
  const { walletCertificate, iou } = decodePaymentBundle(paymentText);
  const payload = encodeObject(iouSchema, { ...iou.value, amount });
  const body = [iou.sign1.message.protectedBytes, new Map(), payload, iou.sign1.signature];
  return bundleText(PREFIX.payment, [walletCertificate.sign1.bytes, encodeDeterministic(new Tag(COSE_SIGN1_TAG, body))]);
}
