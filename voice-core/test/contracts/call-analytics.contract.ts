import { bucketOriginMs, type CallAnalytics, type CallStore } from '@mwva/voice-core';
import { grid } from './fixtures';
import { makeCall, scope } from './fixtures';

/** Dashboard reads over a known set of calls (run against PGlite and real Postgres alike). */
export function callAnalyticsContract(getCalls: () => CallStore, getAnalytics: () => CallAnalytics): void {
  describe('CallAnalytics contract', () => {
    async function seed(s: ReturnType<typeof scope>) {
      const calls = [
        makeCall(s, 'a', {
          startedAt: s.at(10),
          answeredAt: s.at(12),
          endedAt: s.at(72),
          outcome: 'converted',
          costUsd: 0.2,
          hangupCause: 'normal_clearing',
          persona: 'cfo',
        }),
        makeCall(s, 'b', {
          startedAt: s.at(20),
          answeredAt: null,
          endedAt: s.at(40),
          outcome: 'no_answer',
          costUsd: 0,
          hangupCause: 'timeout',
          persona: 'cfo',
        }),
        makeCall(s, 'c', {
          direction: 'inbound',
          startedAt: s.at(70),
          answeredAt: s.at(71),
          endedAt: s.at(101),
          outcome: 'not_converted',
          costUsd: 0.1,
          hangupCause: 'normal_clearing',
          persona: 'ops',
          campaign: null,
        }),
        makeCall(s, 'd', {
          startedAt: s.at(130),
          answeredAt: s.at(131),
          endedAt: s.at(191),
          outcome: 'converted',
          costUsd: 0.3,
          hangupCause: 'normal_clearing',
          persona: null,
        }),
      ];
      for (const c of calls) {
        await getCalls().upsertCall(c);
        await getCalls().addToRollup(c);
      }
      return calls;
    }

    it('buckets call volume by direction, outcome or in all, within the range', async () => {
      const s = scope();
      await seed(s);
      const byDirection = await getAnalytics().volume({ ...grid(s.range(0, 180), 120), groupBy: 'direction' });
      expect(byDirection).toEqual([
        { bucket: s.at(0), group: 'inbound', calls: 1 },
        { bucket: s.at(0), group: 'outbound', calls: 2 },
        { bucket: s.at(120), group: 'outbound', calls: 1 },
      ]);
      const all = await getAnalytics().volume({
        ...grid(s.range(0, 180), 60),
        groupBy: 'none',
        direction: 'outbound',
      });
      expect(all).toEqual([
        { bucket: s.at(0), group: 'all', calls: 2 },
        { bucket: s.at(120), group: 'all', calls: 1 },
      ]);
      const byOutcome = await getAnalytics().volume({ ...grid(s.range(0, 60), 60), groupBy: 'outcome' });
      expect(byOutcome.map((p) => `${p.group}:${p.calls}`)).toEqual(['converted:1', 'no_answer:1']);
      expect(await getAnalytics().volume({ ...grid(s.range(200, 400), 60), groupBy: 'none' })).toEqual([]);
    });

    it('sums what the rates are computed from', async () => {
      const s = scope();
      await seed(s);
      const [first, second] = await getAnalytics().kpis({ ...grid(s.range(0, 180), 120) });
      expect(first).toMatchObject({ bucket: s.at(0), calls: 3, answered: 2, converted: 1 });
      expect(first!.handleSeconds).toBeCloseTo(60 + 30, 6);
      expect(first!.costUsd).toBeCloseTo(0.3, 6);
      expect(second).toMatchObject({ bucket: s.at(120), calls: 1, answered: 1, converted: 1 });
      const inbound = await getAnalytics().kpis({ ...grid(s.range(0, 180), 60), direction: 'inbound' });
      expect(inbound.map((k) => k.calls)).toEqual([1]);
    });

    it('ranks hang-up causes', async () => {
      const s = scope();
      await seed(s);
      expect(await getAnalytics().hangupCauses(s.range(0, 180), 10)).toEqual([
        { cause: 'normal_clearing', calls: 3 },
        { cause: 'timeout', calls: 1 },
      ]);
      expect(await getAnalytics().hangupCauses(s.range(0, 180), 1)).toHaveLength(1);
    });

    it('keeps turn latencies as per-minute histograms', async () => {
      const s = scope();
      await getCalls().addTurnLatencies([
        { at: s.at(5), latencyMs: 3 },
        { at: s.at(6), latencyMs: 40 },
        { at: s.at(7), latencyMs: 40 },
        { at: s.at(65), latencyMs: 9000 },
      ]);
      await getCalls().addTurnLatencies([{ at: s.at(8), latencyMs: 3 }]);
      const points = await getAnalytics().turnLatency({ ...grid(s.range(0, 120), 60) });
      expect(points).toEqual([
        { bucket: s.at(0), counts: [2, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0] },
        { bucket: s.at(60), counts: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1] },
      ]);
    });

    it('averages Beast Mode snapshots per bucket and skill', async () => {
      const s = scope();
      const scores = (overall: number) => ({
        opening: 10,
        discovery: 20,
        objection_handling: 30,
        closing: 40,
        overall,
      });
      await getCalls().saveBeastModeSnapshot({ takenAt: s.at(10), scores: scores(50), callsLearned: 1 });
      await getCalls().saveBeastModeSnapshot({ takenAt: s.at(20), scores: scores(70), callsLearned: 2 });
      await getCalls().saveBeastModeSnapshot({ takenAt: s.at(70), scores: scores(90), callsLearned: 3 });
      const series = await getAnalytics().beastModeSeries({ ...grid(s.range(0, 120), 60) });
      expect(series.map((p) => [p.bucket, p.scores.overall, p.scores.closing])).toEqual([
        [s.at(0), 60, 40],
        [s.at(60), 90, 40],
      ]);
    });

    describe('long ranges (hourly and daily rollups)', () => {
      const DAY = 86_400;
      const minuteOf = (iso: string) => Math.floor(Date.parse(iso) / 60_000) * 60_000;
      /** 80 calls over four days at uneven times, with every direction, outcome and cause. */
      async function seedDays(s: ReturnType<typeof scope>) {
        const outcomes = ['converted', 'not_converted', 'no_answer', 'voicemail', 'failed'] as const;
        const calls = Array.from({ length: 80 }, (_, i) => {
          const start = Math.round(i * 4.3 * 3600 + ((i * 7919) % 3600));
          const outcome = outcomes[i % outcomes.length]!;
          const answered = outcome === 'converted' || outcome === 'not_converted' || outcome === 'voicemail';
          return makeCall(s, `long-${i}`, {
            direction: i % 3 === 0 ? 'inbound' : 'outbound',
            startedAt: s.at(start),
            answeredAt: answered ? s.at(start + 5) : null,
            endedAt: s.at(start + 20 + (i % 7) * 11),
            outcome,
            costUsd: 0.01 * (i % 5),
            hangupCause: i % 4 === 0 ? 'timeout' : 'normal_clearing',
          });
        });
        for (const c of calls) {
          await getCalls().upsertCall(c);
          await getCalls().addToRollup(c);
        }
        return calls;
      }
      /** Expected buckets computed from the calls: a call counts by its start minute. */
      function expectedVolume(calls: { startedAt: string }[], from: string, to: string, bucketSeconds: number) {
        const [f, t, w] = [Date.parse(from), Date.parse(to), bucketSeconds * 1000];
        const origin = bucketOriginMs(f, bucketSeconds);
        const counts = new Map<number, number>();
        for (const c of calls) {
          const m = minuteOf(c.startedAt);
          if (m < f || m >= t) continue;
          const b = origin + Math.floor((m - origin) / w) * w;
          counts.set(b, (counts.get(b) ?? 0) + 1);
        }
        return [...counts]
          .sort((a, b) => a[0] - b[0])
          .map(([b, n]) => ({ bucket: new Date(b).toISOString(), calls: n }));
      }

      it('gives the same counts by day, hour and minute buckets over ragged edges', async () => {
        const s = scope('longRange');
        const calls = await seedDays(s);
        // Neither end on an hour: both edges come from the minute rollups.
        const range = s.range(37 * 60 + 13, 4 * DAY - 49 * 60);
        for (const bucketSeconds of [DAY, 2 * DAY, 3600, 3 * 3600, 600]) {
          const got = await getAnalytics().volume({ ...grid(range, bucketSeconds), groupBy: 'none' });
          const want = expectedVolume(calls, range.from, range.to, bucketSeconds);
          expect(got.map((p) => ({ bucket: p.bucket, calls: p.calls }))).toEqual(want);
          expect(want.length).toBeGreaterThan(1);
        }
        const inbound = calls.filter((c) => c.direction === 'inbound');
        const kpis = await getAnalytics().kpis({ ...grid(range, DAY), direction: 'inbound' });
        expect(kpis.map((k) => ({ bucket: k.bucket, calls: k.calls }))).toEqual(
          expectedVolume(inbound, range.from, range.to, DAY),
        );
        const inRange = (c: (typeof calls)[number]) =>
          minuteOf(c.startedAt) >= Date.parse(range.from) && minuteOf(c.startedAt) < Date.parse(range.to);
        const cost = calls.filter((c) => inRange(c) && c.direction === 'inbound').reduce((a, c) => a + c.costUsd!, 0);
        expect(kpis.reduce((a, k) => a + k.costUsd, 0)).toBeCloseTo(cost, 6);
        const timeouts = calls.filter((c) => inRange(c) && c.hangupCause === 'timeout').length;
        expect(await getAnalytics().hangupCauses(range, 10)).toEqual([
          { cause: 'normal_clearing', calls: calls.filter(inRange).length - timeouts },
          { cause: 'timeout', calls: timeouts },
        ]);
      });

      it('averages Beast Mode per day, following replaced snapshots', async () => {
        const s = scope('longRange');
        const snapshots = Array.from({ length: 30 }, (_, i) => ({ at: Math.round(i * 3.1 * 3600), overall: i * 3 }));
        const save = (at: number, overall: number) =>
          getCalls().saveBeastModeSnapshot({
            takenAt: s.at(at),
            scores: { opening: 1, discovery: 2, objection_handling: 3, closing: 4, overall },
            callsLearned: 1,
          });
        for (const p of snapshots) await save(p.at, p.overall);
        // A snapshot saved again at the same moment replaces the first one.
        await save(snapshots[3]!.at, 100);
        snapshots[3]!.overall = 100;
        const range = s.range(0, 4 * DAY);
        const series = await getAnalytics().beastModeSeries({ ...grid(range, DAY) });
        const origin = bucketOriginMs(Date.parse(range.from), DAY);
        const byDay = new Map<number, number[]>();
        for (const p of snapshots) {
          const day = origin + Math.floor((Date.parse(s.at(p.at)) - origin) / (DAY * 1000)) * DAY * 1000;
          byDay.set(day, [...(byDay.get(day) ?? []), p.overall]);
        }
        const want = [...byDay]
          .sort((a, b) => a[0] - b[0])
          .map(([d, v]) => [new Date(d).toISOString(), v.reduce((a, x) => a + x, 0) / v.length]);
        expect(series.map((p) => [p.bucket, p.scores.overall])).toEqual(want);
      });
    });

    it('lists distinct personas by frequency', async () => {
      const s = scope();
      await seed(s);
      expect(await getAnalytics().distinctValues('persona', s.range(0, 180), 10)).toEqual(['cfo', 'ops']);
      expect(await getAnalytics().distinctValues('campaign', s.range(0, 180), 10)).toEqual(['q4']);
    });
  });
}
