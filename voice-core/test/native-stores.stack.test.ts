import { Registry } from 'prom-client';
import {
  ChromaVectorStore,
  instrumentStore,
  MongoTranscriptStore,
  Neo4jLearningGraph,
  PostgresCallStore,
  RedisCallStateStore,
  type StoreAdapter,
} from '@mwva/voice-core';
import { callStateStoreContract } from './contracts/call-state-store.contract';
import { callStoreContract } from './contracts/call-store.contract';
import { callAnalyticsContract } from './contracts/call-analytics.contract';
import { learningGraphContract } from './contracts/learning-graph.contract';
import { transcriptStoreContract } from './contracts/transcript-store.contract';
import { vectorStoreContract } from './contracts/vector-store.contract';
import { makeCall, scope } from './contracts/fixtures';
import { requireEnv, mongoDatabase } from '@mwva/testkit';

/** Opens an adapter once per describe block, instrumented as in production, and closes it after. */
function withAdapter<T extends StoreAdapter>(open: () => Promise<T>): () => T {
  let adapter: T | undefined;
  beforeAll(async () => {
    adapter = instrumentStore(await open(), new Registry());
  }, 60_000);
  afterAll(async () => {
    await adapter?.close();
  });
  return () => {
    if (!adapter) throw new Error('adapter failed to open; see beforeAll');
    return adapter;
  };
}

describe('native PostgreSQL (primary)', () => {
  // Contract reads must see their own writes, so this run reads from the primary; replica routing has its own test.
  const get = withAdapter(() => PostgresCallStore.open({ url: requireEnv('NEON_DATABASE_URL') }));
  callStoreContract(get);
  callAnalyticsContract(get, () => get().analytics());
});

describe('native PostgreSQL read path', () => {
  let store: PostgresCallStore;
  beforeAll(async () => {
    store = await PostgresCallStore.open({
      url: requireEnv('NEON_DATABASE_URL'),
      readReplicaUrl: requireEnv('NEON_READ_REPLICA_URL'),
    });
  }, 60_000);
  afterAll(() => store.close());

  it('writes to the primary and serves dashboard reads from the streaming replica', async () => {
    expect(await store.readPathInfo()).toEqual({ primaryInRecovery: false, readerInRecovery: true });
    const s = scope();
    await store.upsertCall(makeCall(s, 'replicated'));
    // The replica is asynchronous (on a fresh server even the schema may still be on its way):
    // the row arrives within moments, through the read path.
    const deadline = Date.now() + 10_000;
    let seen: string[] = [];
    while (Date.now() < deadline && seen.length === 0) {
      seen = await store
        .listCalls({ ...s.range(-60, 60), limit: 5 })
        .then((calls) => calls.map((c) => c.id))
        .catch(() => []);
      if (seen.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(seen).toEqual([s.id('replicated')]);
  });
});

describe('native MongoDB wire (FerretDB here)', () => {
  // Its own database: FerretDB's SQLite backend scans whole collections, so the contract's
  // timing must not depend on how many webhooks the other stack suites left in `voice`.
  const database = mongoDatabase('voice_contract');
  afterAll(() => database.drop());
  const get = withAdapter(() => MongoTranscriptStore.open({ uri: database.uri }));
  transcriptStoreContract(get);

  it('detects that FerretDB has no TTL index and degrades to sweeping (the contract above proves the sweep)', () => {
    // Real MongoDB takes the TTL-index path; no MongoDB server can run on this machine.
    const adapter = get() as unknown as MongoTranscriptStore;
    expect(adapter.capabilities).toEqual({ server: 'ferretdb', ttlIndex: false });
  });
});

describe('native Neo4j', () => {
  const get = withAdapter(() =>
    Neo4jLearningGraph.open({
      uri: requireEnv('NEO4J_URI'),
      user: process.env.NEO4J_USER || undefined,
      password: process.env.NEO4J_PASSWORD || undefined,
    }),
  );
  learningGraphContract(get);

  it('replicas crediting the same calls at once: each call once, its pairs summed per pair', async () => {
    // Three connections stand for three replicas; each batches its own concurrent credits.
    const open = () =>
      Neo4jLearningGraph.open({
        uri: requireEnv('NEO4J_URI'),
        user: process.env.NEO4J_USER || undefined,
        password: process.env.NEO4J_PASSWORD || undefined,
      });
    const replicas = [get(), await open(), await open()];
    try {
      const tag = `multi-${Date.now()}`;
      const point = `${tag}:price`;
      const answers = ['a', 'b', 'c'].map((r) => `${tag}:${r}`);
      await replicas[0]!.upsertObjection({ id: point, label: 'price' });
      for (const r of answers) {
        await replicas[0]!.upsertResponse({ id: r, text: r, skill: 'objection_handling' });
        await replicas[0]!.linkCandidate(point, r);
      }
      // Call i used answers a and (i % 3), won when i % 4 == 0; every replica finalizes every call.
      const calls = Array.from({ length: 60 }, (_, i) => ({
        id: `${tag}:call${i}`,
        pairs: [answers[0]!, answers[i % 3]!].map((responseId) => ({ objectionId: point, responseId })),
        won: i % 4 === 0,
      }));
      const results = await Promise.all(
        replicas.flatMap((graph) => calls.map((c) => graph.credit(c.id, c.pairs, c.won))),
      );
      expect(results.filter(Boolean)).toHaveLength(calls.length);
      const expected = answers.map((responseId) => {
        const using = calls.filter((c) => c.pairs.some((p) => p.responseId === responseId));
        return { responseId, trials: using.length, wins: using.filter((c) => c.won).length };
      });
      const arms = await replicas[0]!.getArms(point);
      expect(arms.map(({ responseId, trials, wins }) => ({ responseId, trials, wins }))).toEqual(expected);
    } finally {
      await Promise.all(replicas.slice(1).map((g) => g.close()));
    }
  }, 60_000);
});

describe('native Chroma', () => {
  const get = withAdapter(() => ChromaVectorStore.open({ host: requireEnv('CHROMA_HOST') }));
  vectorStoreContract(get);
});

describe('native Redis', () => {
  const get = withAdapter(() => RedisCallStateStore.open({ url: requireEnv('REDIS_URL') }));
  callStateStoreContract(get);
});
