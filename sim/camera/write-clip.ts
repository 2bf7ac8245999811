/**
 * `scripts/node.sh sim/camera/write-clip.ts OUT.y4m [--text KP1:…] [--frames 300] [--seed N]`:
 * writes the payment clip (sim/camera/y4m.ts) for trying the camera by hand in Chromium:
 *   chromium --use-fake-device-for-media-stream --use-fake-ui-for-media-stream \
 *            --use-file-for-fake-video-capture="$PWD/OUT.y4m"
 * Without --text the clip shows a fresh, valid `KP1:` payment of the fixtures' world.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { paymentText, paymentWorld } from '../fixtures/payments.ts';
import { writePaymentClip } from './y4m.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { text: { type: 'string' }, frames: { type: 'string', default: '300' }, seed: { type: 'string' } },
});
const out = positionals[0];
if (out === undefined || !out.endsWith('.y4m')) {
  process.stderr.write('usage: write-clip.ts OUT.y4m [--text KP1:…] [--frames 300] [--seed N]\n');
  process.exit(2);
}
const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(values.seed);
const text = values.text ?? paymentText(paymentWorld());
const frames = await writePaymentClip(resolve(out), { text, seed, frames: Number(values.frames) });
process.stdout.write(`${resolve(out)}: ${frames} frames at 640×480, seed ${seed}, showing ${text.slice(0, 12)}… (${text.length} characters)\n`);
