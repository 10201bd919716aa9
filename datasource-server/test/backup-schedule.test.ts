import { healthy, missedRun, parseSchedule } from '../src/cli/backup-schedule';

const at = (iso: string) => new Date(iso);

describe('backup-schedule: cron schedule, missed runs, health', () => {
  test('the default schedule fires daily at 03:17 UTC', () => {
    const job = parseSchedule('17 3 * * *', 'UTC');
    expect(job.nextRuns(2, at('2026-01-10T12:00:00Z')).map((d) => d.toISOString())).toEqual([
      '2026-01-11T03:17:00.000Z',
      '2026-01-12T03:17:00.000Z',
    ]);
    job.stop();
  });

  test('an invalid expression is refused with the expression in the message', () => {
    expect(() => parseSchedule('61 3 * * *', 'UTC')).toThrow(/invalid cron expression "61 3 \* \* \*"/);
    expect(() => parseSchedule('every day', 'UTC')).toThrow(/--schedule/);
  });

  test('a run is missed when the newest backup predates the last time the schedule fired', () => {
    const job = parseSchedule('17 3 * * *', 'UTC');
    // Last backup two days ago, now after today's 03:17: today's run was missed.
    expect(missedRun(job, at('2026-01-08T03:17:40Z'), at('2026-01-10T09:00:00Z'))?.toISOString()).toBe(
      '2026-01-10T03:17:00.000Z',
    );
    // Today's backup exists: nothing missed.
    expect(missedRun(job, at('2026-01-10T03:17:55Z'), at('2026-01-10T09:00:00Z'))).toBeNull();
    // Before today's 03:17 with yesterday's backup: nothing missed yet.
    expect(missedRun(job, at('2026-01-09T03:18:00Z'), at('2026-01-10T02:00:00Z'))).toBeNull();
    // No backup at all is not a miss (the first run is the next scheduled one).
    expect(missedRun(job, null, at('2026-01-10T09:00:00Z'))).toBeNull();
    job.stop();
  });

  test('the schedule is read in its time zone', () => {
    const job = parseSchedule('0 3 * * *', 'Europe/Stockholm');
    expect(job.nextRun(at('2026-01-10T12:00:00Z'))?.toISOString()).toBe('2026-01-11T02:00:00.000Z');
    job.stop();
  });

  test('healthy while the last success, or the start before any, is younger than the bound', () => {
    const start = at('2026-01-10T00:00:00Z');
    expect(healthy(null, start, at('2026-01-11T01:59:00Z'), 26)).toBe(true);
    expect(healthy(null, start, at('2026-01-11T02:01:00Z'), 26)).toBe(false);
    expect(healthy(at('2026-01-11T03:17:00Z'), start, at('2026-01-12T05:00:00Z'), 26)).toBe(true);
    expect(healthy(at('2026-01-11T03:17:00Z'), start, at('2026-01-12T05:18:00Z'), 26)).toBe(false);
    // An old backup found at start is overdue: unhealthy until the catch-up run succeeds.
    expect(healthy(at('2026-01-01T00:00:00Z'), start, at('2026-01-10T00:05:00Z'), 26)).toBe(false);
  });
});
