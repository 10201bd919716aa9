import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleStores, openEmbeddedStores } from '@mwva/voice-core';
import { Registry } from 'prom-client';
import { demoSchedule } from '../src/cli/demo';
import { installShiftedClock } from '../src/cli/shifted-clock';
import { runCli } from './helpers/process';

const DAY = 86_400_000;

describe('the shifted clock of voice-agent demo', () => {
  const RealDate = Date;
  afterEach(() => {
    globalThis.Date = RealDate;
  });

  it('moves Date.now() and new Date() together, runs `speed` times fast and only jumps forward', async () => {
    const start = RealDate.now() - 10 * DAY;
    const before = new Date();
    const clock = installShiftedClock(start, 50);
    expect(Math.abs(Date.now() - start)).toBeLessThan(1_000);
    expect(Math.abs(new Date().getTime() - start)).toBeLessThan(1_000);
    // Explicit times are untouched, and dates made before the clock was installed are still Dates.
    expect(new Date(0).toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(before instanceof Date).toBe(true);
    expect(new Date() instanceof RealDate).toBe(true);

    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, 100));
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50 * 90);

    clock.jumpTo(start + DAY);
    expect(Math.abs(Date.now() - (start + DAY))).toBeLessThan(1_000);
    clock.jumpTo(start);
    expect(Date.now()).toBeGreaterThanOrEqual(start + DAY);

    clock.restore();
    expect(Math.abs(Date.now() - RealDate.now())).toBeLessThan(5);
  });
});

describe('the demo schedule', () => {
  const now = Date.parse('2026-12-03T16:40:00');
  const slots = demoSchedule({ days: 28, callsPerDay: 100, seed: 7 }, now);
  const byDay = new Map<number, number>();
  for (const s of slots) {
    const d = new Date(s.at);
    d.setHours(0, 0, 0, 0);
    byDay.set(d.getTime(), (byDay.get(d.getTime()) ?? 0) + s.calls);
  }
  const days = [...byDay.entries()].map(([at, calls]) => ({ day: new Date(at).getDay(), calls }));

  it('covers every day of the period, oldest first, and ends before the present', () => {
    expect(byDay.size).toBe(29); // 28 days back and today so far
    expect(slots.map((s) => s.at)).toEqual([...slots.map((s) => s.at)].sort((a, b) => a - b));
    expect(slots[0]!.at).toBeGreaterThan(now - 29 * DAY);
    expect(Math.max(...slots.map((s) => s.at))).toBeLessThan(now - 30 * 60_000);
  });

  it('calls less at weekends, and more as the period goes on', () => {
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const full = days.slice(0, -1); // today is partial
    const weekend = full.filter((d) => d.day === 0 || d.day === 6).map((d) => d.calls);
    const weekdays = full.filter((d) => d.day !== 0 && d.day !== 6).map((d) => d.calls);
    expect(mean(weekend)).toBeLessThan(mean(weekdays) / 2);
    expect(mean(weekdays.slice(-5))).toBeGreaterThan(mean(weekdays.slice(0, 5)) * 1.2);
  });
});

describe('voice-agent demo (process)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('backfills calls through the engine at the times they would have happened', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mwva-demo-'));
    dirs.push(dataDir);
    const run = runCli(['demo', '--days', '2', '--calls-per-day', '16', '--data-dir', dataDir], {});
    const code = await run.exited;
    expect({ code, output: run.output().slice(-2000) }).toMatchObject({ code: 0 });
    const done = /demo: (\d+)\/(\d+) calls backfilled/.exec(run.output());
    expect(done?.[1]).toBe(done?.[2]);

    const stores = bundleStores(await openEmbeddedStores({ dataDir: join(dataDir, 'pglite') }), new Registry());
    try {
      const calls = await stores.calls.listCalls({
        from: new Date(Date.now() - 4 * DAY).toISOString(),
        to: new Date().toISOString(),
        limit: 1000,
      });
      expect(calls).toHaveLength(Number(done![1]));
      // Every call ended, was counted with an outcome, and lasted as long as a phone call does.
      expect(calls.filter((c) => c.status !== 'ended' || !c.outcome)).toEqual([]);
      const answered = calls.filter((c) => c.answeredAt && c.endedAt);
      const seconds = answered.map((c) => (Date.parse(c.endedAt!) - Date.parse(c.answeredAt!)) / 1000);
      expect(Math.min(...seconds)).toBeGreaterThan(5);
      // Billed at the simulator's Telnyx rates (at most $0.007 a minute), on the simulated duration:
      // the fast wall clock must not stretch it a second time.
      const perMinute = answered
        .filter((c) => c.costUsd !== null)
        .map((c) => c.costUsd! / ((Date.parse(c.endedAt!) - Date.parse(c.answeredAt!)) / 60_000));
      expect(perMinute.length).toBeGreaterThan(0);
      expect(Math.max(...perMinute)).toBeLessThan(0.02);
      // On the days of the period, not now: at least the two full days before today.
      const days = new Set(calls.map((c) => c.startedAt.slice(0, 10)));
      expect(days.size).toBeGreaterThanOrEqual(2);
      expect(Math.min(...calls.map((c) => Date.parse(c.startedAt)))).toBeLessThan(Date.now() - DAY);
      // The learning curve: Beast Mode snapshots taken through the period.
      const snapshots = await stores.analytics.latestBeastModeSnapshots(100);
      const takenDays = new Set(snapshots.map((s) => s.takenAt.slice(0, 10)));
      expect(takenDays.size).toBeGreaterThanOrEqual(2);
    } finally {
      await stores.close();
    }
  }, 180_000);
});
