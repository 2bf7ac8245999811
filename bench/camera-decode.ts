/**
 * `camera-decode`: the camera's QR decoder on 640×480 frames of a phone showing a realistic
 * `KP1:` code (sim/camera/frames.ts), by degradation — small, blurred, angled, low contrast,
 * glare — and on frames without a code. The value is the shipped decoder (zxing-wasm,
 * renderer/app/camera/decoder.ts); the baseline, on the very same frames in the same run, is
 * @zxing/library (bench/zxing-js-decoder.ts). Per condition: the decode rate; per class: the
 * wall time of one decode (p50/p95) and its CPU time (steadier on a shared machine). The two
 * decoders take turns going first on each frame, so load falls on both alike.
 *
 * `KASSA_SEED=n` replays a run's frames (the seed is printed); the `KP1:` texts are freshly
 * signed each run and only change which modules are dark.
 */
import { decodeFrame, loadDecoder, type Frame } from '../renderer/app/camera/decoder.ts';
import { CONDITIONS, corpus, type Condition } from '../sim/camera/frames.ts';
import { readerWasmBytes } from '../sim/camera/decoder-wasm.ts';
import { paymentText, paymentWorld } from '../sim/fixtures/payments.ts';
import { decodeFrame as decodeWithZxingJs } from './zxing-js-decoder.ts';
import { figure, percentile, type Benchmark, type Figure } from './figures.ts';

const NAME = 'camera-decode';

type DecoderName = 'wasm' | 'js';

interface Sample {
  condition: Condition;
  ok: Record<DecoderName, boolean>;
  /** A text that is not the frame's (or any text from a frame without a code). */
  misread: Record<DecoderName, boolean>;
  wallMs: Record<DecoderName, number>;
  cpuMs: Record<DecoderName, number>;
}

async function timed(decode: () => Promise<string | undefined> | string | undefined) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const text = await decode();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { text, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export async function measure(options: { seed: number; perCondition: number; conditions?: readonly Condition[] }): Promise<Sample[]> {
  await loadDecoder({ bytes: readerWasmBytes() });
  const world = paymentWorld();
  const texts = Array.from({ length: 4 }, () => paymentText(world));
  const decoders: Record<DecoderName, (frame: Frame) => Promise<string | undefined> | string | undefined> = { wasm: decodeFrame, js: decodeWithZxingJs };
  const samples: Sample[] = [];
  let warmedUp = false;
  for (const { condition, text, frame } of corpus({ ...options, texts })) {
    if (!warmedUp) {
      for (let i = 0; i < 3; i++) for (const decode of Object.values(decoders)) await decode(frame); // JIT and wasm tier-up
      warmedUp = true;
    }
    const order: DecoderName[] = samples.length % 2 === 0 ? ['wasm', 'js'] : ['js', 'wasm'];
    const sample: Sample = { condition, ok: { wasm: false, js: false }, misread: { wasm: false, js: false }, wallMs: { wasm: 0, js: 0 }, cpuMs: { wasm: 0, js: 0 } };
    for (const name of order) {
      const result = await timed(() => decoders[name](frame));
      sample.ok[name] = condition.hasCode && result.text === text;
      sample.misread[name] = result.text !== undefined && !sample.ok[name];
      sample.wallMs[name] = result.wallMs;
      sample.cpuMs[name] = result.cpuMs;
    }
    samples.push(sample);
  }
  return samples;
}

const rate = (samples: Sample[], name: DecoderName) => (100 * samples.filter((s) => s.ok[name]).length) / samples.length;
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

export const benchmark: Benchmark = {
  name: NAME,
  async *run({ full }): AsyncIterable<Figure> {
    const seed = process.env.KASSA_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.KASSA_SEED);
    const perCondition = full ? 40 : 6;
    process.stderr.write(`${NAME}: seed ${seed} (KASSA_SEED=${seed} replays the frames), ${perCondition} frames × ${CONDITIONS.length} conditions\n`);
    const samples = await measure({ seed, perCondition });

    const withCode = samples.filter((s) => s.condition.hasCode);
    const table: string[] = ['| class | condition | zxing-wasm | @zxing/library |', '|---|---|---|---|'];
    for (const condition of CONDITIONS) {
      const these = samples.filter((s) => s.condition === condition);
      if (!condition.hasCode) continue;
      const [wasm, js] = [rate(these, 'wasm'), rate(these, 'js')];
      yield figure(NAME, `rate-${condition.name}`, wasm, '%', js);
      table.push(`| ${condition.group} | ${condition.description} | ${wasm.toFixed(0)} % | ${js.toFixed(0)} % |`);
    }
    yield figure(NAME, 'rate-all-codes', rate(withCode, 'wasm'), '%', rate(withCode, 'js'));
    table.push(`| all | every frame with a code (${withCode.length}) | ${rate(withCode, 'wasm').toFixed(0)} % | ${rate(withCode, 'js').toFixed(0)} % |`);

    table.push('', '| class | zxing-wasm ms p50 / p95 (CPU mean) | @zxing/library ms p50 / p95 (CPU mean) |', '|---|---|---|');
    const groups = [...new Set(CONDITIONS.map((c) => c.group)), 'all'];
    for (const group of groups) {
      const these = group === 'all' ? samples : samples.filter((s) => s.condition.group === group);
      const cell = (name: DecoderName) => {
        const wall = these.map((s) => s.wallMs[name]);
        return { p50: percentile(wall, 50), p95: percentile(wall, 95), cpu: mean(these.map((s) => s.cpuMs[name])) };
      };
      const [wasm, js] = [cell('wasm'), cell('js')];
      yield figure(NAME, `ms-p50-${group}`, wasm.p50, 'ms', js.p50);
      yield figure(NAME, `ms-p95-${group}`, wasm.p95, 'ms', js.p95);
      yield figure(NAME, `cpu-ms-mean-${group}`, wasm.cpu, 'ms', js.cpu);
      const text = (c: typeof wasm) => `${c.p50.toFixed(1)} / ${c.p95.toFixed(1)} (${c.cpu.toFixed(1)})`;
      table.push(`| ${group} | ${text(wasm)} | ${text(js)} |`);
    }
    const misreads = (name: DecoderName) => samples.filter((s) => s.misread[name]).length;
    yield figure(NAME, 'misreads', misreads('wasm'), 'frames', misreads('js'));
    yield figure(NAME, 'frames', samples.length, 'frames');
    process.stderr.write(`${table.join('\n')}\nmisreads: zxing-wasm ${misreads('wasm')}, @zxing/library ${misreads('js')}\n`);
  },
};
