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
      expect(await getStore().appendEvents([late])).toEqual([late.id]);
      expect(await getStore().appendEvents([early])).toEqual([early.id]);
      expect(await getStore().appendEvents([early])).toEqual([]);
      const events = await getStore().listEvents(callId);
      expect(events).toEqual([early, late]);
      expect(await getStore().listEvents(s.id('none'))).toEqual([]);
    });

    it('stores a batch in one go: repeats inside it and already stored ids count once', async () => {
      const s = scope();
      const callId = s.id('call');
      const e = (n: number) => ({
        id: s.id(`e${n}`),
        callId,
        type: 'call.transcription',
        occurredAt: s.at(n),
        payload: { n },
      });
      expect(await getStore().appendEvents([e(1)])).toEqual([e(1).id]);
      const stored = await getStore().appendEvents([e(1), e(2), e(3), e(2)]);
      expect([...stored].sort()).toEqual([e(2).id, e(3).id].sort());
      expect((await getStore().listEvents(callId)).map((x) => x.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(await getStore().appendEvents([])).toEqual([]);
    });

    it('keeps concurrent batches of the same events apart: each id is new for exactly one', async () => {
      const s = scope();
      const events = Array.from({ length: 20 }, (_, n) => ({
        id: s.id(`c${n}`),
        callId: s.id('call'),
        type: 't',
        occurredAt: s.at(n),
        payload: {},
      }));
      const results = await Promise.all(
        [events, [...events].reverse(), events.slice(5)].map((batch) => getStore().appendEvents(batch)),
      );
      const all = results.flat();
      expect(all).toHaveLength(20);
      expect(new Set(all).size).toBe(20);
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
      await getStore().appendEvents([event]);
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
      expect(await getStore().isRolledUp(a.id)).toBe(false);
      const results = await Promise.all([a, a, a, b, c, c].map((call) => getStore().addToRollup(call)));
      expect(results.filter(Boolean)).toHaveLength(3);
      expect(await getStore().isRolledUp(a.id)).toBe(true);
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

    it('keeps an inbox: stored events stay unapplied until marked', async () => {
      const s = scope();
      const callId = s.id('call');
      const a = { id: s.id('a'), callId, type: 'call.initiated', occurredAt: s.at(1), payload: {} };
      const b = { id: s.id('b'), callId, type: 'call.answered', occurredAt: s.at(2), payload: {} };
      await getStore().appendEvents([a, b]);
      const future = new Date(Date.now() + 60_000).toISOString();
      const own = async () =>
        (await getStore().listUnappliedEvents({ before: future, afterSeq: 0, limit: 100_000 })).filter(
          (e) => e.callId === callId,
        );
      expect((await own()).map((e) => e.id)).toEqual([a.id, b.id]);
      await getStore().markEventsApplied([a.id]);
      await getStore().markEventsApplied([a.id, s.id('unknown')]);
      await getStore().markEventsApplied([]);
      expect((await own()).map((e) => e.id)).toEqual([b.id]);
      const past = new Date(Date.now() - 60_000).toISOString();
      expect(
        (await getStore().listUnappliedEvents({ before: past, afterSeq: 0, limit: 100_000 })).filter(
          (e) => e.callId === callId,
        ),
      ).toEqual([]);
    });

    it('pages through unapplied events in inbox order from a position, and counts failed attempts', async () => {
      const s = scope();
      const callId = s.id('call');
      const events = [1, 2, 3].map((n) => ({
        id: s.id(`p${n}`),
        callId,
        type: 'call.transcription',
        occurredAt: s.at(10 - n), // occurrence order is the reverse of arrival order
        payload: { n },
      }));
      for (const e of events) await getStore().appendEvents([e]);
      const future = new Date(Date.now() + 60_000).toISOString();
      const page = async (afterSeq: number) =>
        (await getStore().listUnappliedEvents({ before: future, afterSeq, limit: 100_000 })).filter(
          (e) => e.callId === callId,
        );
      const all = await page(0);
      expect(all.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect(all.every((e, i) => i === 0 || e.seq > all[i - 1]!.seq)).toBe(true);
      expect((await page(all[0]!.seq)).map((e) => e.id)).toEqual([events[1]!.id, events[2]!.id]);
      expect(all.map((e) => e.attempts)).toEqual([0, 0, 0]);
      expect(await getStore().recordApplyFailure(events[0]!.id, 'arrived early')).toBe(1);
      expect(await getStore().recordApplyFailure(events[0]!.id, 'arrived early')).toBe(2);
      expect((await page(0))[0]?.attempts).toBe(2);
      expect([...(await getStore().listPendingEventIds(callId))].sort()).toEqual(events.map((e) => e.id).sort());
    });

    it('sets dead letters aside (out of the unapplied pages and pending ids) and re-drives them', async () => {
      const s = scope();
      const callId = s.id('call');
      const e = { id: s.id('dead'), callId, type: 'call.answered', occurredAt: s.at(1), payload: {} };
      await getStore().appendEvents([e]);
      await getStore().recordApplyFailure(e.id, 'no state for this call yet');
      await getStore().moveToDeadLetters(e.id, 'not applied after 1 attempts');
      await getStore().moveToDeadLetters(e.id, 'again: no-op');
      const future = new Date(Date.now() + 60_000).toISOString();
      const unapplied = async () =>
        (await getStore().listUnappliedEvents({ before: future, afterSeq: 0, limit: 100_000 })).filter(
          (x) => x.callId === callId,
        );
      expect(await unapplied()).toEqual([]);
      expect(await getStore().listPendingEventIds(callId)).toEqual([]);
      const dead = await getStore().analytics().deadLetters(100_000);
      const mine = dead.newest.find((d) => d.event.id === e.id);
      expect(mine).toMatchObject({ attempts: 1, lastError: 'no state for this call yet', event: e });
      expect(mine?.reason).toBe('not applied after 1 attempts');
      expect(dead.total).toBeGreaterThanOrEqual(1);

      expect(await getStore().redriveDeadLetters([e.id])).toBe(1);
      expect(await getStore().redriveDeadLetters([e.id])).toBe(0);
      expect((await unapplied()).map((x) => [x.id, x.attempts])).toEqual([[e.id, 0]]);
      expect((await getStore().analytics().deadLetters(100_000)).newest.some((d) => d.event.id === e.id)).toBe(false);
    });

    it('finds a call by its Telnyx ids and moves a stored event to another call', async () => {
      const s = scope();
      const call = makeCall(s, 'routed', { callControlId: s.id('v3:ccid'), callSessionId: s.id('session') });
      await getStore().upsertCall(call);
      expect(await getStore().findCallIdByTelnyxIds({ callControlId: s.id('v3:ccid'), callSessionId: null })).toBe(
        call.id,
      );
      expect(await getStore().findCallIdByTelnyxIds({ callControlId: null, callSessionId: s.id('session') })).toBe(
        call.id,
      );
      expect(
        await getStore().findCallIdByTelnyxIds({ callControlId: s.id('other'), callSessionId: s.id('other') }),
      ).toBeNull();
      expect(await getStore().findCallIdByTelnyxIds({ callControlId: null, callSessionId: null })).toBeNull();

      const e = {
        id: s.id('stray'),
        callId: s.id('derived'),
        type: 'call.transcription',
        occurredAt: s.at(1),
        payload: {},
      };
      await getStore().appendEvents([e]);
      await getStore().rerouteEvent(e.id, call.id);
      expect((await getStore().listEvents(call.id)).map((x) => x.id)).toEqual([e.id]);
      expect(await getStore().listEvents(s.id('derived'))).toEqual([]);
    });

    it('hands each queued call to exactly one of several concurrent claimers, oldest first', async () => {
      const s = scope();
      const ids = Array.from({ length: 30 }, (_, i) => s.id(`q${String(i).padStart(2, '0')}`));
      for (const [i, id] of ids.entries()) {
        await getStore().upsertCall({ ...makeCall(s, 'x'), id, status: 'queued', startedAt: s.at(i), outcome: null });
      }
      const batches = await Promise.all([0, 1, 2, 3].map(() => getStore().claimQueuedCalls(10)));
      const mine = batches.map((b) => b.filter((c) => ids.includes(c.id)).map((c) => c.id));
      const claimed = mine.flat();
      expect(new Set(claimed).size).toBe(claimed.length);
      expect([...claimed].sort()).toEqual(ids);
      for (const batch of mine) expect(batch).toEqual([...batch].sort());
      expect((await getStore().getCall(ids[0]!))?.status).toBe('dialing');
      expect((await getStore().claimQueuedCalls(100)).filter((c) => ids.includes(c.id))).toEqual([]);
    });

    it('lists ended calls that are not yet rolled up', async () => {
      const s = scope();
      const done = makeCall(s, 'done', { endedAt: s.at(60) });
      const pending = makeCall(s, 'pending', { endedAt: s.at(60) });
      const live = makeCall(s, 'live', { status: 'answered', endedAt: null, outcome: null });
      for (const c of [done, pending, live]) await getStore().upsertCall(c);
      await getStore().addToRollup(done);
      const ids = (await getStore().listUnfinalizedCalls(s.at(61), 100_000)).map((c) => c.id);
      expect(ids).toContain(pending.id);
      expect(ids).not.toContain(done.id);
      expect(ids).not.toContain(live.id);
      expect((await getStore().listUnfinalizedCalls(s.at(59), 100_000)).map((c) => c.id)).not.toContain(pending.id);
    });

    it('tells which of many calls are already rolled up, in one call', async () => {
      const s = scope();
      const calls = Array.from({ length: 30 }, (_, i) => makeCall(s, `c${i}`));
      for (const c of calls) await getStore().upsertCall(c);
      const counted = calls.filter((_, i) => i % 3 === 0);
      for (const c of counted) await getStore().addToRollup(c);
      const ids = [...calls.map((c) => c.id), s.id('unknown')];
      expect((await getStore().listRolledUp(ids)).sort()).toEqual(counted.map((c) => c.id).sort());
      expect(await getStore().listRolledUp([])).toEqual([]);
    });

    it('reports itself healthy', async () => {
      const health = await getStore().health();
      expect(health).toMatchObject({ store: 'postgres', ok: true });
    });
  });
}
