import type { TimeRange } from '../domain';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * The time buckets of a dashboard series: where the first one starts and how wide they are.
 * Decided once per query, here, and handed to the store as is: the SQL buckets rows with
 * `date_bin(width, bucket, origin)` and the series are filled on `starts()` of the same grid,
 * so the zero-filled points and the stored ones line up by construction.
 */
export interface BucketGrid extends TimeRange {
  /** Start of the first bucket, epoch ms. */
  originMs: number;
  /** Width of a bucket in seconds: whole minutes (the rollups are per minute). */
  bucketSeconds: number;
}

/** Widths a series may have (as Grafana rounds intervals); longer ones are whole days. */
const STEPS_SECONDS = [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * The bucket width for a wanted minimum: the next step up, so that a width of an hour or more is
 * whole hours (or days) and the series can read the hourly and daily rollups.
 */
export function bucketSecondsFor(minimumSeconds: number): number {
  return STEPS_SECONDS.find((s) => s >= minimumSeconds) ?? Math.ceil(minimumSeconds / 86_400) * 86_400;
}

/**
 * Where the first bucket starts. Buckets of whole hours start on a UTC hour and buckets of whole
 * days at UTC midnight, so they line up with the hourly and daily rollups (and with each other
 * from one refresh to the next); finer buckets start at the range's start.
 */
export function bucketOriginMs(fromMs: number, bucketSeconds: number): number {
  const bucketMs = bucketSeconds * 1000;
  if (bucketMs % DAY_MS === 0) return Math.floor(fromMs / DAY_MS) * DAY_MS;
  if (bucketMs % HOUR_MS === 0) return Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  return fromMs;
}

/**
 * The grid for a dashboard range: buckets no narrower than Grafana's interval, few enough for
 * its maxDataPoints, and never below the per-minute rollups.
 */
export function bucketGrid(range: TimeRange, want: { intervalMs: number; maxDataPoints: number }): BucketGrid {
  const fromMs = Date.parse(range.from);
  const toMs = Date.parse(range.to);
  const bucketSeconds = bucketSecondsFor(Math.max(want.intervalMs / 1000, (toMs - fromMs) / 1000 / want.maxDataPoints));
  return { from: range.from, to: range.to, originMs: bucketOriginMs(fromMs, bucketSeconds), bucketSeconds };
}

/** Every bucket start of the grid, so series show zeros instead of gaps. */
export function bucketStarts(grid: BucketGrid): number[] {
  const toMs = Date.parse(grid.to);
  const step = grid.bucketSeconds * 1000;
  const out: number[] = [];
  for (let t = grid.originMs; t < toMs; t += step) out.push(t);
  return out;
}

/**
 * Values of the grid's buckets from sparse points (ISO bucket → value); a bucket without a
 * point gets `missing` (0 for counts, null for rates, which have no value without calls).
 */
export function denseSeries<T>(grid: BucketGrid, points: Map<string, T>, missing: T): { times: number[]; values: T[] } {
  const times = bucketStarts(grid);
  const byTime = new Map([...points].map(([bucket, value]) => [Date.parse(bucket), value]));
  return { times, values: times.map((t) => (byTime.has(t) ? byTime.get(t)! : missing)) };
}
