/**
 * `npm run bench [-- NAME ...] [--full]`: runs the named benchmarks (all without a name) and
 * prints their figures as JSON lines on stdout; progress notes go to stderr.
 */
import type { Benchmark } from './figures.ts';

/** Every benchmark, loaded only when it runs. */
const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  'e2e-paid': async () => (await import('./e2e-paid.ts')).benchmark,
  'camera-decode': async () => (await import('./camera-decode.ts')).benchmark,
  'qr-size': async () => (await import('./qr-size.ts')).benchmark,
  'scan-serial': async () => (await import('./scan-serial.ts')).benchmark,
  'serve-start': async () => (await import('./serve-start.ts')).benchmark,
  settle: async () => (await import('./settle.ts')).benchmark,
  'ui-start': async () => (await import('./ui-start.ts')).benchmark,
  'vse-accept': async () => (await import('./vse-accept.ts')).benchmark,
  'vse-scale': async () => (await import('./vse-scale.ts')).benchmark,
  'vse-stages': async () => (await import('./vse-stages.ts')).benchmark,
};

const args = process.argv.slice(2);
const full = args.includes('--full');
const names = args.filter((a) => !a.startsWith('--'));
const unknown = names.filter((n) => !(n in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(`unknown benchmark ${unknown.join(', ')}; known: ${Object.keys(BENCHMARKS).join(', ')}\n`);
  process.exit(2);
}

for (const name of names.length > 0 ? names : Object.keys(BENCHMARKS)) {
  process.stderr.write(`bench ${name}${full ? ' (full)' : ''}...\n`);
  const benchmark = await BENCHMARKS[name]!();
  const figures = await benchmark.run({ full });
  for await (const figure of figures) process.stdout.write(`${JSON.stringify(figure)}\n`);
}
