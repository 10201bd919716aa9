import { bucketOriginMs } from '@mwva/voice-core';
import { bucketSecondsFor } from '../src/grafana/router';

describe('time-series buckets', () => {
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
});
