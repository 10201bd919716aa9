import pino from 'pino';
import { Registry } from 'prom-client';
import {
  Agent,
  CallEngine,
  createCallMetrics,
  FirstCandidateChooser,
  HashedNgramEmbedder,
  loadPlaybook,
  openStores,
  RecoverySweeper,
  freshCall,
  toJson,
  type CallCommands,
  type Stores,
} from '@mwva/voice-core';
import { makeCall, scope } from './contracts/fixtures';
import { startEngine, type EngineHarness } from './helpers/engine';

/** The sweep only finalizes and releases here; a command reaching the carrier is a bug. */
const noCarrier: CallCommands = {
  dial: () => Promise.reject(new Error('no carrier in this test')),
  answer: () => Promise.reject(new Error('no carrier in this test')),
  speak: () => Promise.reject(new Error('no carrier in this test')),
  startTranscription: () => Promise.reject(new Error('no carrier in this test')),
  hangup: () => Promise.reject(new Error('no carrier in this test')),
};

describe('the recovery sweep (embedded stores)', () => {
  let stores: Stores;
  let sweeper: RecoverySweeper;

  beforeAll(async () => {
    const registry = new Registry();
    stores = await openStores({ dataDir: null }, registry);
    // Finalizing credits no pairs here, so the playbook need not be seeded.
    const agent = new Agent(
      loadPlaybook(),
      stores.graph,
      stores.vectors,
      new HashedNgramEmbedder(),
      new FirstCandidateChooser(),
    );
    const metrics = createCallMetrics(registry, { activeCalls: () => stores.state.countActive(), capacity: 10 });
    const logger = pino({ level: 'silent' });
    const engine = new CallEngine({ stores, commands: noCarrier, agent, metrics, logger });
    sweeper = new RecoverySweeper({ stores, engine, logger });
  }, 60_000);

  afterAll(() => stores.close());

  it('finalizes an ended call nobody finalized, which frees its capacity slot', async () => {
    const s = scope();
    const call = makeCall(s, 'orphan');
    await stores.calls.upsertCall(call);
    await stores.state.markActive(call.id);

    expect(await sweeper.sweep()).toMatchObject({ finalized: 1, released: 0 });
    expect(await stores.calls.isRolledUp(call.id)).toBe(true);
    expect(await stores.state.listActive()).not.toContain(call.id);
  });

  it('frees the slot a finalized call still holds, and only that one', async () => {
    const s = scope();
    const finalized = makeCall(s, 'finalized');
    const live = makeCall(s, 'live', { status: 'answered', endedAt: null, outcome: null });
    await stores.calls.upsertCall(finalized);
    await stores.calls.upsertCall(live);
    await stores.calls.addToRollup(finalized);
    // As if the call-state store failed after the rollup, before the release.
    await stores.state.markActive(finalized.id);
    await stores.state.markActive(live.id);

    expect(await sweeper.sweep()).toMatchObject({ finalized: 0, released: 1 });
    expect(await stores.state.listActive()).toEqual([live.id]);
    expect(await sweeper.sweep()).toMatchObject({ released: 0 });
  });
});

describe('the recovery sweep: paging and dead letters', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngine();
  }, 60_000);

  afterAll(() => h.close());

  /** Stores events straight into the inbox, as acknowledged webhooks nobody applied. */
  async function stray(n: number, s: ReturnType<typeof scope>, type = 'call.answered') {
    const events = Array.from({ length: n }, (_, i) => ({
      id: s.id(`stray-${i}`),
      callId: s.id(`nobody-${i}`),
      type,
      occurredAt: s.at(i),
      payload: {},
    }));
    await h.stores.calls.appendEvents(events);
    return events;
  }

  const later = () => Date.now() + 120_000; // every stored event counts as old enough to sweep

  it('sets an event that can never apply aside after its attempts, and a re-drive puts it back', async () => {
    const s = scope();
    const sweeper = new RecoverySweeper(
      { stores: h.stores, engine: h.engine, logger: pino({ level: 'silent' }) },
      { deadLetterAfterAttempts: 3 },
    );
    const [event] = await stray(1, s);
    expect((await sweeper.sweep(later())).deadLettered).toBe(0);
    expect((await sweeper.sweep(later())).deadLettered).toBe(0);
    expect((await sweeper.sweep(later())).deadLettered).toBe(1);
    const dead = await h.stores.analytics.deadLetters(1000);
    const mine = dead.newest.find((d) => d.event.id === event!.id);
    expect(mine).toMatchObject({ attempts: 3, lastError: expect.stringMatching(/arrived early/) });
    // Set aside: the next sweeps no longer try it.
    await sweeper.sweep(later());
    expect((await h.stores.analytics.deadLetters(1000)).newest.find((d) => d.event.id === event!.id)?.attempts).toBe(3);

    expect(await h.stores.calls.redriveDeadLetters([event!.id])).toBe(1);
    expect(await h.stores.calls.listPendingEventIds(event!.callId)).toEqual([event!.id]);
  });

  it('visits every unapplied event within a few sweeps, however many strays are older (no starvation)', async () => {
    const s = scope();
    const sweeper = new RecoverySweeper(
      { stores: h.stores, engine: h.engine, logger: pino({ level: 'silent' }) },
      { pageSize: 100, maxEventsPerSweep: 200, deadLetterAfterAttempts: 1000 },
    );
    await stray(505, s);
    // A newer event that applies: a call.speak.started of a call in progress (nothing to do but mark it).
    const call = makeCall(s, 'live', { status: 'answered', endedAt: null, outcome: null });
    await h.stores.state.compareAndSet(call.id, toJson(freshCall(call, 'conversing', false)), 0, 3600);
    const good = { id: s.id('good'), callId: call.id, type: 'call.speak.started', occurredAt: s.at(1000), payload: {} };
    await h.stores.calls.appendEvents([good]);
    const sweeps: number[] = [];
    for (let i = 0; i < 5 && (await h.stores.calls.listPendingEventIds(call.id)).length > 0; i += 1) {
      sweeps.push((await sweeper.sweep(later())).reapplied);
      await h.engine.idle();
    }
    expect(await h.stores.calls.listPendingEventIds(call.id)).toEqual([]);
    expect(sweeps.every((n) => n <= 200)).toBe(true);
  }, 120_000);

  it('applies a late transcription for the record without speaking a reply nobody waits for, several calls at once', async () => {
    const s = scope();
    const sweeper = new RecoverySweeper(
      { stores: h.stores, engine: h.engine, logger: pino({ level: 'silent' }) },
      { concurrency: 3 },
    );
    const calls = ['a', 'b', 'c', 'd', 'e'].map((name) =>
      makeCall(s, `late-${name}`, { status: 'answered', endedAt: null, outcome: null }),
    );
    const transcriptions = [];
    for (const call of calls) {
      await h.stores.calls.upsertCall(call);
      await h.stores.state.compareAndSet(call.id, toJson(freshCall(call, 'conversing', false)), 0, 3600);
      // Two turns per call: the second may only apply after the first (one turn sequence per call).
      for (const [i, words] of ['that is too expensive', 'we already have a vendor'].entries()) {
        transcriptions.push({
          id: s.id(`${call.id}-words-${i}`),
          callId: call.id,
          type: 'call.transcription',
          occurredAt: s.at(10 + i),
          payload: {
            call_control_id: call.callControlId,
            transcription_data: { transcript: words, is_final: true, confidence: 0.9 },
          },
        });
      }
    }
    await h.stores.calls.appendEvents(transcriptions);
    const spokenBefore = h.carrier.sent.filter((c) => c.command === 'speak').length;

    expect((await sweeper.sweep(Date.now() + 120_000)).reapplied).toBeGreaterThanOrEqual(transcriptions.length);
    await h.engine.idle();

    for (const call of calls) {
      expect(await h.stores.calls.listPendingEventIds(call.id)).toEqual([]);
      const turns = await h.stores.transcripts.getTranscript(call.id);
      expect(turns.filter((t) => t.speaker === 'prospect').map((t) => t.text)).toEqual([
        'that is too expensive',
        'we already have a vendor',
      ]);
    }
    expect(h.carrier.sent.filter((c) => c.command === 'speak').length).toBe(spokenBefore);
  }, 60_000);
});
