/**
 * `kassa demo`: the OIP/1 story on one machine, printed step by step. For now it covers the
 * offline Pay step end to end — scheme keys and trust list, a certified terminal, a wallet
 * with a reservation, payment requests, payments, offline verification, and what a forged
 * or misdirected IOU gets. The backend, the VSE and settlement join in later issues.
 */
import { randomBytes } from 'node:crypto';
import {
  bundleText,
  encodeDeterministic,
  encodeObject,
  formatAmount,
  keyId,
  decodePaymentBundle,
  PREFIX,
  signObject,
  SIGNED,
  Tag,
  toHex,
  verifyPayment,
  verifyTrustList,
  iou as iouSchema,
  COSE_SIGN1_TAG,
  type VerifiedTrustList,
} from '../../../protocol/index.ts';
import { generateP256PrivateKey, nodeSigner, nodeVerify } from '../../../vse/crypto/node-es256.ts';
import { Scheme } from '../../../sim/scheme/scheme.ts';
import { FRESH_COUNTER, payRequest, type WalletCounter, type WalletReservation } from '../../../sim/wallet/wallet.ts';
import { EXIT, parseOptions, UsageError, type CliIo, type Command } from '../command.ts';

const DAY = 86_400;
const CURRENCY = 'SEK';
const TERMINAL_ID = 'TERM-DEMO-01';

function short(text: string, keep = 72): string {
  return text.length <= keep ? text : `${text.slice(0, keep)}… (${text.length} characters)`;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run the Reserve → Pay story on one machine and print every step',
  usage: `kassa demo [--no-ui]

  --no-ui   print the story in the terminal (the only mode until the cashier UI exists)`,

  async run(args, io) {
    const { positionals } = parseOptions(args, { 'no-ui': { type: 'boolean' } });
    if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
    runDemo(io, Math.floor(Date.now() / 1000));
    return EXIT.ok;
  },
};

function step(io: CliIo, label: string, text: string): void {
  io.stdout(`${label.padEnd(10)} ${text}\n`);
}

function runDemo(io: CliIo, now: number): void {
  io.stdout('Kassa demo: an offline payment, start to end, on this machine.\n\n');

  const scheme = Scheme.generate(now);
  const trust = verifyTrustList(scheme.trustList(1, now), [scheme.root.publicKey], nodeVerify);
  if (!trust.ok) throw new Error(`demo trust list does not verify: ${trust.detail}`);
  const trustList: VerifiedTrustList = trust.trustList;
  step(io, 'Scheme', `root key ${toHex(keyId(scheme.root.publicKey))} signs trust list v1 with the wallet-issuer and terminal-issuer keys`);

  const terminal = nodeSigner(generateP256PrivateKey());
  const terminalCertificate = scheme.certifyTerminal({
    merchantId: 'M-DEMO-0001',
    terminalId: TERMINAL_ID,
    terminalKey: terminal.publicKey,
    merchantName: 'Kaffebaren Demo',
    notBefore: now - DAY,
    notAfter: now + 365 * DAY,
  });
  step(io, 'Enroll', `terminal ${TERMINAL_ID} made its key; the terminal issuer certified it`);

  const wallet = nodeSigner(generateP256PrivateKey());
  const reservationId = new Uint8Array(randomBytes(16));
  const reservation: WalletReservation = {
    certificate: scheme.certifyWallet({
      reservationId,
      walletKey: wallet.publicKey,
      currency: CURRENCY,
      reservedAmount: 50_000,
      notBefore: now - 60,
      notAfter: now + 30 * DAY,
    }),
    signer: wallet,
  };
  step(io, 'Reserve', `the payer's wallet reserved ${formatAmount(50_000, CURRENCY)} online: reservation ${toHex(reservationId)}`);
  io.stdout('\nThe network is gone from here on: everything below happens offline.\n\n');

  const request = (amount: number): string =>
    bundleText(PREFIX.request, [
      terminalCertificate,
      signObject(SIGNED.paymentRequest, { requestId: new Uint8Array(randomBytes(16)), currency: CURRENCY, amount, created: now, expires: now + 120 }, terminal),
    ]);
  const verifyAt = (text: string, terminalId: string) => verifyPayment(text, { trustList, now, terminalId, verify: nodeVerify });

  let counter: WalletCounter = FRESH_COUNTER;
  let lastPayment = '';
  for (const amount of [12_900, 4_550]) {
    const requestText = request(amount);
    step(io, 'Request', `the terminal asks for ${formatAmount(amount, CURRENCY)}: ${short(requestText)}`);
    const paid = payRequest(requestText, reservation, counter, { trustList, now, verify: nodeVerify });
    if (!paid.ok) throw new Error(`demo wallet refused: ${paid.refusal} ${paid.detail}`);
    step(io, 'Pay', `the wallet checked the request and signed IOU seq ${paid.iou.seq} (spent before: ${formatAmount(paid.iou.spentBefore, CURRENCY)}): ${short(paid.text)}`);
    const result = verifyAt(paid.text, TERMINAL_ID);
    step(io, 'Verify', result.ok ? `ACCEPTED offline (OIP/1 §4 checks 1-11), iou_id ${toHex(result.payment.iouId)}` : `REJECTED ${result.reason}: ${result.detail}`);
    counter = paid.counter;
    lastPayment = paid.text;
  }

  io.stdout('\nAnd what a terminal says to payments it must not take:\n\n');
  const forged = forgeAmount(lastPayment, 455_000);
  const forgedResult = verifyAt(forged, TERMINAL_ID);
  step(io, 'Forged', `the last IOU with its amount raised to ${formatAmount(455_000, CURRENCY)}: ${forgedResult.ok ? 'ACCEPTED (!)' : forgedResult.reason}`);
  const elsewhere = verifyAt(lastPayment, 'TERM-OTHER-99');
  step(io, 'Elsewhere', `the same IOU shown to terminal TERM-OTHER-99: ${elsewhere.ok ? 'ACCEPTED (!)' : elsewhere.reason}`);
  const overspend = payRequest(request(40_000), reservation, counter, { trustList, now, verify: nodeVerify });
  step(io, 'Overspend', `a request for ${formatAmount(40_000, CURRENCY)}, more than is left: the wallet refuses (${overspend.ok ? 'paid (!)' : overspend.refusal})`);

  io.stdout(`\nLook inside a payment yourself:\n  ./kassa inspect '${lastPayment}'\n`);
}

/** The payment with its IOU's amount changed and the original signature kept. */
function forgeAmount(paymentText: string, amount: number): string {
  const { walletCertificate, iou } = decodePaymentBundle(paymentText);
  const payload = encodeObject(iouSchema, { ...iou.value, amount });
  const body = [iou.sign1.message.protectedBytes, new Map(), payload, iou.sign1.signature];
  return bundleText(PREFIX.payment, [walletCertificate.sign1.bytes, encodeDeterministic(new Tag(COSE_SIGN1_TAG, body))]);
}
