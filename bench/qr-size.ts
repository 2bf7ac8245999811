/**
 * `qr-size`: how big OIP/1's QR texts are for the realistic bundles of §3, the QR version
 * Kassa's one encoder (protocol/qr) shows each at — level M, the smallest version by ISO/IEC
 * 18004's rule — against the version §3 budgets, and what verifying one `KP1:` bundle costs
 * with node:crypto (the VSE's) and with @noble/curves (the browser's), measured in the same run.
 */
import { nobleVerify, verifyPayment } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import { alphanumericCapacity, encodeQr } from '../protocol/qr/index.ts';
import { paymentText, paymentWorld, requestText, REALISTIC } from '../sim/fixtures/payments.ts';
import { figure, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'qr-size';
/** OIP/1 §3: a realistic `KP1:` text fits version 13 at level M, a `KR1:` text version 14. */
const VERSION_BUDGET = { kp1: 13, kr1: 14 } as const;

export const benchmark: Benchmark = {
  name: NAME,
  *run({ full }): Iterable<Figure> {
    const world = paymentWorld();
    // A reservation's first payment, and a later one whose spent_before has 9 digits too.
    const first = paymentText(world);
    const later = paymentText(world, { iou: { seq: 23, spentBefore: 876_543_210, amount: REALISTIC.amount } });
    const request = requestText(world);

    const kp1Capacity = alphanumericCapacity(VERSION_BUDGET.kp1, 'M');
    yield figure(NAME, 'kp1-chars-first', first.length, 'chars', kp1Capacity);
    yield figure(NAME, 'kp1-chars-later', later.length, 'chars', kp1Capacity);
    yield figure(NAME, 'kr1-chars', request.length, 'chars', alphanumericCapacity(VERSION_BUDGET.kr1, 'M'));
    for (const [metric, text, budgetVersion] of [['kp1-first', first, VERSION_BUDGET.kp1], ['kp1-later', later, VERSION_BUDGET.kp1], ['kr1', request, VERSION_BUDGET.kr1]] as const) {
      yield figure(NAME, `${metric}-qr-version`, encodeQr(text).version, 'version', budgetVersion);
    }

    const context = { trustList: world.trustList, now: world.now, terminalId: REALISTIC.terminalId };
    const budget = full ? 5_000 : 1_000;
    const check = (verify: typeof nodeVerify) => () => {
      if (!verifyPayment(first, { ...context, verify }).ok) throw new Error('benchmark bundle does not verify');
    };
    const nodeMicros = timePerCall(check(nodeVerify), budget);
    const nobleMicros = timePerCall(check(nobleVerify), budget);
    yield figure(NAME, 'verify-bundle-node-crypto-us', nodeMicros, 'us');
    yield figure(NAME, 'verify-bundle-noble-us', nobleMicros, 'us', nodeMicros);
  },
};
