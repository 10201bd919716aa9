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
  type CallCommands,
  type Stores,
} from '@mwva/voice-core';
import { makeCall, scope } from './contracts/fixtures';

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
