import { DAY_MS, HOUR_MS, type BucketGrid } from '../../dashboard/bucket-grid';
import type { TimeRange } from '../../domain';

/**
 * Which rows of which rollup level a range reads. The range [from, to) is cut into at most five
 * pieces: whole UTC days from the daily table, whole hours around them from the hourly table,
 * and the ragged minutes at both ends from the minute table. The coarsest level used is the
 * coarsest the bucket width is a multiple of, so no coarse row ever straddles two buckets.
 *
 * As SQL parameters (see rollupSource), in this order:
 *   minute [from, hourStart) ∪ [hourEnd, to), hourly [hourStart, dayStart) ∪ [dayEnd, hourEnd),
 *   daily [dayStart, dayEnd).
 */
export interface RollupPlan {
  from: string;
  hourStart: string;
  dayStart: string;
  dayEnd: string;
  hourEnd: string;
  to: string;
}

const ceilTo = (ms: number, unit: number) => Math.ceil(ms / unit) * unit;
const floorTo = (ms: number, unit: number) => Math.floor(ms / unit) * unit;
const iso = (ms: number) => new Date(ms).toISOString();

export function planRollups({ from, to }: TimeRange, bucketSeconds: number): RollupPlan {
  const fromMs = Date.parse(from);
  const toMs = Date.parse(to);
  const bucketMs = bucketSeconds * 1000;
  // Defaults: everything from the minute table.
  let [hourStart, dayStart, dayEnd, hourEnd] = [toMs, toMs, toMs, toMs];
  if (bucketMs % HOUR_MS === 0 && ceilTo(fromMs, HOUR_MS) < floorTo(toMs, HOUR_MS)) {
    hourStart = ceilTo(fromMs, HOUR_MS);
    hourEnd = floorTo(toMs, HOUR_MS);
    [dayStart, dayEnd] = [hourEnd, hourEnd];
    if (bucketMs % DAY_MS === 0 && ceilTo(fromMs, DAY_MS) < floorTo(toMs, DAY_MS)) {
      dayStart = ceilTo(fromMs, DAY_MS);
      dayEnd = floorTo(toMs, DAY_MS);
    }
  }
  return {
    from: iso(fromMs),
    hourStart: iso(hourStart),
    dayStart: iso(dayStart),
    dayEnd: iso(dayEnd),
    hourEnd: iso(hourEnd),
    to: iso(toMs),
  };
}

/** The range's six cuts as SQL parameters, in the order rollupSource reads them. */
export function cutParams(p: RollupPlan): string[] {
  return [p.from, p.hourStart, p.dayStart, p.dayEnd, p.hourEnd, p.to];
}

/** A bucketed query's first eight SQL parameters: $1 the grid's origin, $2 its bucket seconds, $3…$8 the cuts. */
export function gridParams(grid: BucketGrid): unknown[] {
  return [
    new Date(grid.originMs).toISOString(),
    grid.bucketSeconds,
    ...cutParams(planRollups(grid, grid.bucketSeconds)),
  ];
}

/**
 * A derived table `r` with `columns` of the rollup family `table` over the plan's range, read
 * from its minute, hourly and daily tables; the cuts are parameters $first…$first+5.
 */
export function rollupSource(table: string, columns: string, first = 3): string {
  const [from, hourStart, dayStart, dayEnd, hourEnd, to] = [0, 1, 2, 3, 4, 5].map((i) => `$${first + i}::timestamptz`);
  return `(
    select ${columns} from ${table} where (bucket >= ${from} and bucket < ${hourStart}) or (bucket >= ${hourEnd} and bucket < ${to})
    union all
    select ${columns} from ${table}_hourly where (bucket >= ${hourStart} and bucket < ${dayStart}) or (bucket >= ${dayEnd} and bucket < ${hourEnd})
    union all
    select ${columns} from ${table}_daily where bucket >= ${dayStart} and bucket < ${dayEnd}
  ) r`;
}
