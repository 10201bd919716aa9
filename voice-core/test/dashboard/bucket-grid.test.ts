import { bucketGrid, bucketOriginMs, bucketSecondsFor, bucketStarts, denseSeries } from '@mwva/voice-core';

describe('the bucket grid of dashboard series', () => {
  it('rounds a wanted width up to a step; an hour or more is whole hours, then whole days', () => {
    expect(bucketSecondsFor(1)).toBe(60);
    expect(bucketSecondsFor(600)).toBe(600);
    expect(bucketSecondsFor(601)).toBe(900);
    // A year over 1000 points wants 8.76 h: 12 h, which the hourly rollups can serve.
    expect(bucketSecondsFor((365 * 86_400) / 1000)).toBe(43_200);
    expect(bucketSecondsFor(86_401)).toBe(2 * 86_400);
  });

  it('starts whole-hour and whole-day buckets on UTC boundaries, finer ones at the range start', () => {
    const from = Date.parse('2026-03-04T10:37:13Z');
    expect(new Date(bucketOriginMs(from, 600)).toISOString()).toBe('2026-03-04T10:37:13.000Z');
    expect(new Date(bucketOriginMs(from, 7200)).toISOString()).toBe('2026-03-04T10:00:00.000Z');
    expect(new Date(bucketOriginMs(from, 86_400)).toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });

  it('takes the width from Grafana’s interval and maxDataPoints, never below a minute', () => {
    const day = { from: '2026-03-04T00:00:00Z', to: '2026-03-05T00:00:00Z' };
    expect(bucketGrid(day, { intervalMs: 1000, maxDataPoints: 100_000 }).bucketSeconds).toBe(60);
    expect(bucketGrid(day, { intervalMs: 60_000, maxDataPoints: 100 }).bucketSeconds).toBe(900);
    expect(bucketGrid(day, { intervalMs: 7_200_000, maxDataPoints: 1000 })).toMatchObject({
      bucketSeconds: 7200,
      originMs: Date.parse('2026-03-04T00:00:00Z'),
    });
  });

  it('fills every bucket of the grid: stored points where they are, the given value elsewhere', () => {
    const grid = bucketGrid(
      { from: '2026-03-04T10:30:00Z', to: '2026-03-04T14:00:00Z' },
      { intervalMs: 3_600_000, maxDataPoints: 1000 },
    );
    expect(bucketStarts(grid).map((t) => new Date(t).toISOString().slice(11, 16))).toEqual([
      '10:00',
      '11:00',
      '12:00',
      '13:00',
    ]);
    const points = new Map([['2026-03-04T12:00:00.000Z', 5]]);
    expect(denseSeries(grid, points, 0).values).toEqual([0, 0, 5, 0]);
    expect(denseSeries(grid, points, null).values).toEqual([null, null, 5, null]);
  });
});
