import type { CallAnalytics, CallStore } from '@mwva/voice-core';
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
      const byDirection = await getAnalytics().volume({ ...s.range(0, 180), bucketSeconds: 120, groupBy: 'direction' });
      expect(byDirection).toEqual([
        { bucket: s.at(0), group: 'inbound', calls: 1 },
        { bucket: s.at(0), group: 'outbound', calls: 2 },
        { bucket: s.at(120), group: 'outbound', calls: 1 },
      ]);
      const all = await getAnalytics().volume({
        ...s.range(0, 180),
        bucketSeconds: 60,
        groupBy: 'none',
        direction: 'outbound',
      });
      expect(all).toEqual([
        { bucket: s.at(0), group: 'all', calls: 2 },
        { bucket: s.at(120), group: 'all', calls: 1 },
      ]);
      const byOutcome = await getAnalytics().volume({ ...s.range(0, 60), bucketSeconds: 60, groupBy: 'outcome' });
      expect(byOutcome.map((p) => `${p.group}:${p.calls}`)).toEqual(['converted:1', 'no_answer:1']);
      expect(await getAnalytics().volume({ ...s.range(200, 400), bucketSeconds: 60, groupBy: 'none' })).toEqual([]);
    });

    it('sums what the rates are computed from', async () => {
      const s = scope();
      await seed(s);
      const [first, second] = await getAnalytics().kpis({ ...s.range(0, 180), bucketSeconds: 120 });
      expect(first).toMatchObject({ bucket: s.at(0), calls: 3, answered: 2, converted: 1 });
      expect(first!.handleSeconds).toBeCloseTo(60 + 30, 6);
      expect(first!.costUsd).toBeCloseTo(0.3, 6);
      expect(second).toMatchObject({ bucket: s.at(120), calls: 1, answered: 1, converted: 1 });
      const inbound = await getAnalytics().kpis({ ...s.range(0, 180), bucketSeconds: 60, direction: 'inbound' });
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
      await getAnalytics().addTurnLatencies([
        { at: s.at(5), latencyMs: 3 },
        { at: s.at(6), latencyMs: 40 },
        { at: s.at(7), latencyMs: 40 },
        { at: s.at(65), latencyMs: 9000 },
      ]);
      await getAnalytics().addTurnLatencies([{ at: s.at(8), latencyMs: 3 }]);
      const points = await getAnalytics().turnLatency({ ...s.range(0, 120), bucketSeconds: 60 });
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
      const series = await getAnalytics().beastModeSeries({ ...s.range(0, 120), bucketSeconds: 60 });
      expect(series.map((p) => [p.bucket, p.scores.overall, p.scores.closing])).toEqual([
        [s.at(0), 60, 40],
        [s.at(60), 90, 40],
      ]);
    });

    it('lists distinct personas by frequency', async () => {
      const s = scope();
      await seed(s);
      expect(await getAnalytics().distinctValues('persona', s.range(0, 180), 10)).toEqual(['cfo', 'ops']);
      expect(await getAnalytics().distinctValues('campaign', s.range(0, 180), 10)).toEqual(['q4']);
    });
  });
}
