import type { CallStore } from '@mwva/voice-core';
import { makeCall, scope, UNICODE_TEXT } from './fixtures';

/** The behaviour every CallStore adapter (PGlite, Postgres) must show. */
export function callStoreContract(getStore: () => CallStore): void {
  describe('CallStore contract', () => {
    it('returns null for an unknown call', async () => {
      expect(await getStore().getCall(scope().id('missing'))).toBeNull();
    });

    it('round-trips a call record exactly, and an upsert replaces it', async () => {
      const s = scope();
      const call = makeCall(s, 'a', { persona: UNICODE_TEXT, outcome: null, endedAt: null, costUsd: null });
      await getStore().upsertCall(call);
      expect(await getStore().getCall(call.id)).toEqual(call);

      const ended = {
        ...call,
        status: 'ended' as const,
        outcome: 'not_converted' as const,
        endedAt: s.at(90),
        costUsd: 0.5,
      };
      await getStore().upsertCall(ended);
      await getStore().upsertCall(ended);
      expect(await getStore().getCall(call.id)).toEqual(ended);
    });

    it('lists calls newest first within the range, bounded and filtered', async () => {
      const s = scope();
      for (let i = 0; i < 5; i += 1) {
        await getStore().upsertCall(
          makeCall(s, `c${i}`, { startedAt: s.at(i * 60), direction: i % 2 === 0 ? 'outbound' : 'inbound' }),
        );
      }
      const all = await getStore().listCalls({ ...s.range(0, 3600), limit: 10 });
      expect(all.map((c) => c.id)).toEqual([4, 3, 2, 1, 0].map((i) => s.id(`c${i}`)));
      const limited = await getStore().listCalls({ ...s.range(0, 3600), limit: 2 });
      expect(limited.map((c) => c.id)).toEqual([s.id('c4'), s.id('c3')]);
      const inbound = await getStore().listCalls({ ...s.range(0, 3600), limit: 10, direction: 'inbound' });
      expect(inbound.map((c) => c.id)).toEqual([s.id('c3'), s.id('c1')]);
      const window = await getStore().listCalls({ ...s.range(60, 180), limit: 10 });
      expect(window.map((c) => c.id)).toEqual([s.id('c2'), s.id('c1')]);
    });

    it('stores each event once and lists them by occurrence time, not arrival', async () => {
      const s = scope();
      const callId = s.id('call');
      const late = { id: s.id('e2'), callId, type: 'call.answered', occurredAt: s.at(2), payload: { n: 2 } };
      const early = { id: s.id('e1'), callId, type: 'call.initiated', occurredAt: s.at(1), payload: { n: 1 } };
      expect(await getStore().appendEvent(late)).toBe(true);
      expect(await getStore().appendEvent(early)).toBe(true);
      expect(await getStore().appendEvent(early)).toBe(false);
      const events = await getStore().listEvents(callId);
      expect(events).toEqual([early, late]);
      expect(await getStore().listEvents(s.id('none'))).toEqual([]);
    });

    it('keeps a large unicode payload intact', async () => {
      const s = scope();
      const big = { text: UNICODE_TEXT.repeat(2000), list: Array.from({ length: 5000 }, (_, i) => i) };
      const event = {
        id: s.id('big'),
        callId: s.id('call'),
        type: 'call.transcription',
        occurredAt: s.at(0),
        payload: big,
      };
      await getStore().appendEvent(event);
      expect((await getStore().listEvents(s.id('call')))[0]?.payload).toEqual(big);
    });

    it('applies a call to its minute rollup exactly once, even under concurrent writers', async () => {
      const s = scope();
      const a = makeCall(s, 'a', { startedAt: s.at(10), answeredAt: s.at(12), endedAt: s.at(72), costUsd: 0.25 });
      const b = makeCall(s, 'b', {
        startedAt: s.at(30),
        answeredAt: null,
        endedAt: s.at(40),
        outcome: 'no_answer',
        costUsd: 0,
      });
      const c = makeCall(s, 'c', { startedAt: s.at(50), answeredAt: s.at(51), endedAt: s.at(81), costUsd: 0.5 });
      const results = await Promise.all([a, a, a, b, c, c].map((call) => getStore().addToRollup(call)));
      expect(results.filter(Boolean)).toHaveLength(3);
      const rollups = await getStore().listRollups(s.range(0, 60));
      expect(rollups).toEqual([
        {
          bucket: s.at(0),
          direction: 'outbound',
          outcome: 'converted',
          calls: 2,
          answered: 2,
          converted: 2,
          handleSeconds: 90,
          costUsd: 0.75,
        },
        {
          bucket: s.at(0),
          direction: 'outbound',
          outcome: 'no_answer',
          calls: 1,
          answered: 0,
          converted: 0,
          handleSeconds: 0,
          costUsd: 0,
        },
      ]);
    });

    it('refuses to roll up a call without an outcome', async () => {
      const s = scope();
      await expect(getStore().addToRollup(makeCall(s, 'x', { outcome: null }))).rejects.toThrow(/no outcome/);
    });

    it('keeps concurrent upserts of distinct calls', async () => {
      const s = scope();
      await Promise.all(
        Array.from({ length: 50 }, (_, i) => getStore().upsertCall(makeCall(s, `p${i}`, { startedAt: s.at(i) }))),
      );
      expect(await getStore().listCalls({ ...s.range(0, 100), limit: 100 })).toHaveLength(50);
    });

    it('stores Beast Mode snapshots in time order', async () => {
      const s = scope();
      const scores = { opening: 50, discovery: 60, objection_handling: 70, closing: 40, overall: 55.5 };
      await getStore().saveBeastModeSnapshot({
        takenAt: s.at(120),
        scores: { ...scores, overall: 60 },
        callsLearned: 20,
      });
      await getStore().saveBeastModeSnapshot({ takenAt: s.at(60), scores, callsLearned: 10 });
      const snaps = await getStore().listBeastModeSnapshots(s.range(0, 600));
      expect(snaps.map((x) => x.callsLearned)).toEqual([10, 20]);
      expect(snaps[0]?.scores).toEqual(scores);
      expect(await getStore().listBeastModeSnapshots(s.range(600, 700))).toEqual([]);
    });

    it('reports itself healthy', async () => {
      const health = await getStore().health();
      expect(health).toMatchObject({ store: 'postgres', ok: true });
    });
  });
}
