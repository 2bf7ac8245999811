/**
 * The benchmark output format (ARCHITECTURE.md rule 10): one JSON object per line,
 * `{"bench", "metric", "value", "unit"}` plus `"baseline"` and `"ratio"` where a baseline
 * was measured in the same run (no ratio to a baseline of 0).
 */

export interface Figure {
  bench: string;
  metric: string;
  value: number;
  unit: string;
  baseline?: number;
  ratio?: number;
}

export interface BenchOptions {
  /** `--full`: longer runs, beyond the default 60-second budget. */
  full: boolean;
}

export interface Benchmark {
  name: string;
  run(options: BenchOptions): AsyncIterable<Figure> | Iterable<Figure> | Promise<Iterable<Figure>>;
}

const round = (value: number) => Number(value.toPrecision(6));

export function figure(bench: string, metric: string, value: number, unit: string, baseline?: number): Figure {
  const result: Figure = { bench, metric, value: round(value), unit };
  if (baseline !== undefined) {
    result.baseline = round(baseline);
    // A zero baseline (a decode rate of 0 %) has no ratio; JSON would print Infinity as null.
    if (baseline !== 0) result.ratio = round(value / baseline);
  }
  return result;
}

/** The p-th percentile (0..100) of `samples`, nearest-rank. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Mean time of one call of `fn` in microseconds, over enough calls to fill `budgetMs`. */
export function timePerCall(fn: () => unknown, budgetMs = 500): number {
  for (let i = 0; i < 10; i++) fn(); // warm up the JIT and caches
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return (elapsed * 1000) / calls;
}
