import { Registry } from 'prom-client';
import { bundleStores, openEmbeddedStores, type Stores } from '@mwva/voice-core';
import { callStoreContract } from './contracts/call-store.contract';
import { callAnalyticsContract } from './contracts/call-analytics.contract';
import { transcriptStoreContract } from './contracts/transcript-store.contract';
import { learningGraphContract } from './contracts/learning-graph.contract';
import { vectorStoreContract } from './contracts/vector-store.contract';
import { callStateStoreContract } from './contracts/call-state-store.contract';

describe('embedded adapters (PGlite in memory)', () => {
  let stores: Stores;
  const registry = new Registry();

  beforeAll(async () => {
    stores = bundleStores(await openEmbeddedStores({ dataDir: null }), registry);
  }, 60_000);

  afterAll(async () => {
    await stores.close();
  });

  callStoreContract(() => stores.calls);
  callAnalyticsContract(
    () => stores.calls,
    () => stores.analytics,
  );
  transcriptStoreContract(() => stores.transcripts);
  learningGraphContract(() => stores.graph);
  vectorStoreContract(() => stores.vectors);
  callStateStoreContract(() => stores.state);

  it('lists every store as embedded and healthy', async () => {
    const health = await stores.health();
    expect(health.map((h) => [h.store, h.kind, h.ok])).toEqual([
      ['postgres', 'embedded', true],
      ['mongodb', 'embedded', true],
      ['neo4j', 'embedded', true],
      ['chroma', 'embedded', true],
      ['redis', 'embedded', true],
    ]);
  });

  it('shares one probe round among concurrent health checks', async () => {
    const adapters = await openEmbeddedStores({ dataDir: null });
    const probe = jest.spyOn(adapters.calls, 'health');
    const bundle = bundleStores(adapters, new Registry());
    try {
      const rounds = await Promise.all(Array.from({ length: 20 }, () => bundle.health()));
      expect(probe).toHaveBeenCalledTimes(1);
      expect(rounds.every((r) => r === rounds[0])).toBe(true);
      // Once that round is over, the next check probes again (no stale answer).
      await bundle.health();
      expect(probe).toHaveBeenCalledTimes(2);
    } finally {
      await bundle.close();
    }
  });

  it('records store latency per store and operation', async () => {
    const text = await registry.metrics();
    expect(text).toMatch(/voice_store_duration_seconds_count\{store="postgres",op="upsertCall",result="ok"\} [1-9]/);
    expect(text).toMatch(/voice_store_duration_seconds_count\{store="chroma",op="query",result="ok"\} [1-9]/);
  });
});
