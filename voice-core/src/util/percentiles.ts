/**
 * The one percentile definition of the project (reports, benchmarks and tests): nearest rank,
 * the smallest sample with at least q of all samples at or below it. No interpolation, so a
 * reported p99 is a latency some request really had.
 */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentile of samples sorted ascending (0 when there are none). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Count, p50, p95, p99 and max of unsorted samples, rounded to `digits` decimals. */
export function percentiles(samples: readonly number[], digits = 1): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10 ** digits) / 10 ** digits;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    p99: round(percentile(sorted, 0.99)),
    max: round(sorted[sorted.length - 1] ?? 0),
  };
}
