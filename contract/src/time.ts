import { z } from 'zod';

const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO-8601 time between 1970 and 9999 (year 0000 is not a Postgres timestamp). */
export const dashboardTime = z
  .string()
  .datetime({ offset: true, message: 'expected an ISO-8601 time like 2026-12-01T00:00:00Z' })
  .refine((v) => {
    const ms = Date.parse(v);
    return ms >= EARLIEST_MS && ms <= LATEST_MS;
  }, 'expected a time between 1970 and 9999');

/** Longest dashboard range: a year of calls, with room for a leap year and time zones. */
export const MAX_RANGE_MS = 400 * 86_400_000;
