import { TURN_LATENCY_BOUNDS_MS } from '../ports';

/** A quantile of a latency histogram (bounds TURN_LATENCY_BOUNDS_MS), linear within the bucket. */
export function histogramQuantile(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const target = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i += 1) {
    const lower = i === 0 ? 0 : TURN_LATENCY_BOUNDS_MS[i - 1]!;
    const upper = TURN_LATENCY_BOUNDS_MS[i] ?? lower * 2; // the open bucket: up to twice its lower bound
    if (seen + counts[i]! >= target)
      return round1(lower + ((upper - lower) * (target - seen)) / Math.max(1, counts[i]!));
    seen += counts[i]!;
  }
  return TURN_LATENCY_BOUNDS_MS[TURN_LATENCY_BOUNDS_MS.length - 1]! * 2;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
