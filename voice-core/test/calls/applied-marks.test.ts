import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import { CallEngine, createCallMetrics, inboundCallId, openStores, type Stores } from '@mwva/voice-core';
import { RecordingCarrier, seededAgent, webhook } from '../helpers/engine';

/**
 * An applied event is marked applied in the inbox in batches. When that write fails (Postgres
 * restarting), the marks are written again: dropped, they left applied events looking unapplied
 * until the recovery sweep reached them behind any backlog (the compose db-failover test's
 * attempts=0 events).
 */
describe('applied marks when the inbox write fails', () => {
  let stores: Stores;
  let engine: CallEngine;
  let failuresLeft = 0;

  beforeAll(async () => {
    const registry = new Registry();
    stores = await openStores({ dataDir: null }, registry);
    // The real embedded store, with its mark write refused a number of times (a database restart).
    const calls = stores.calls;
    const markEventsApplied = calls.markEventsApplied.bind(calls);
    calls.markEventsApplied = async (ids) => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        throw new Error('the database system is shutting down');
      }
      return markEventsApplied(ids);
    };
    const metrics = createCallMetrics(registry, { activeCalls: () => stores.state.countActive(), capacity: 10 });
    engine = new CallEngine(
      {
        stores,
        commands: new RecordingCarrier(),
        agent: await seededAgent(stores),
        metrics,
        logger: pino({ level: 'silent' }),
      },
      { finalizeSettleMs: 10 },
    );
  }, 60_000);

  afterAll(async () => {
    engine.stop();
    await stores.close();
  });

  it('writes them again until the store takes them', async () => {
    const callControlId = `v3:${randomUUID()}`;
    const callId = inboundCallId(callControlId);
    const ids = { call_control_id: callControlId, call_leg_id: randomUUID(), call_session_id: randomUUID() };
    const parties = { from: '+15550001111', to: '+15550002222', direction: 'incoming' };
    failuresLeft = 2;
    const now = Date.now();
    await engine.ingest(
      webhook('call.initiated', new Date(now).toISOString(), { ...ids, ...parties, state: 'parked' }),
    );
    await engine.ingest(webhook('call.answered', new Date(now + 1000).toISOString(), { ...ids, ...parties }));
    await engine.idle();
    // Applied (the live state says so) ...
    expect((await stores.state.get(callId))?.state).toBeTruthy();
    // ... and, after two refused writes a second apart, marked in the inbox.
    const deadline = Date.now() + 10_000;
    while ((await stores.calls.listPendingEventIds(callId)).length > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(failuresLeft).toBe(0);
    expect(await stores.calls.listPendingEventIds(callId)).toEqual([]);
  }, 30_000);
});
