/**
 * `qr-size`: how big OIP/1's QR texts are for the realistic bundles of §3, which QR version
 * they need at level M, and what verifying one `KP1:` bundle costs with node:crypto (the
 * VSE's) and with @noble/curves (the browser's), measured in the same run.
 */
import { nobleVerify, verifyPayment } from '../protocol/index.ts';
import { nodeVerify } from '../base/node/node-es256.ts';
import { encodeQr } from '../renderer/qr/qr-code.ts';
import { paymentText, paymentWorld, requestText, REALISTIC } from '../sim/fixtures/payments.ts';
import { alphanumericCapacity, isoMinimumVersion } from './qr-capacity.ts';
import { figure, timePerCall, type Benchmark, type Figure } from './figures.ts';

const NAME = 'qr-size';

export const benchmark: Benchmark = {
  name: NAME,
  *run({ full }): Iterable<Figure> {
    const world = paymentWorld();
    // A reservation's first payment, and a later one whose spent_before has 9 digits too.
    const first = paymentText(world);
    const later = paymentText(world, { iou: { seq: 23, spentBefore: 876_543_210, amount: REALISTIC.amount } });
    const request = requestText(world);

    const kp1Capacity = alphanumericCapacity(13, 'M');
    const kr1Bound = 535; // OIP/1 §3's bound for KR1 texts
    yield figure(NAME, 'kp1-chars-first', first.length, 'chars', kp1Capacity);
    yield figure(NAME, 'kp1-chars-later', later.length, 'chars', kp1Capacity);
    yield figure(NAME, 'kr1-chars', request.length, 'chars', kr1Bound);
    for (const [metric, text] of [['kp1-first', first], ['kp1-later', later], ['kr1', request]] as const) {
      yield figure(NAME, `${metric}-qr-version-zxing`, encodeQr(text, 'M').version, 'version');
      yield figure(NAME, `${metric}-qr-version-iso`, isoMinimumVersion(text, 'M')!, 'version');
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
