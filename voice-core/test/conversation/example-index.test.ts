import { Registry } from 'prom-client';
import {
  ExampleIndex,
  HashedNgramEmbedder,
  IntentRecogniser,
  loadPlaybook,
  openStores,
  simulator,
  vectorCollection,
  type Stores,
  type VectorItem,
} from '@mwva/voice-core';

/**
 * Turns are matched against the playbook's examples in memory; the vector store stays their
 * record. The in-memory search must find what the store's own search (pgvector's exact cosine
 * `<=>`) finds, in the same order, for what prospects say.
 */
describe('in-memory intent examples agree with the vector store', () => {
  let stores: Stores;
  const embedder = new HashedNgramEmbedder();
  const playbook = loadPlaybook();
  let recogniser: IntentRecogniser;

  beforeAll(async () => {
    stores = await openStores({ dataDir: null }, new Registry());
    recogniser = new IntentRecogniser(playbook, stores.vectors, embedder);
    await recogniser.seed();
  }, 60_000);

  afterAll(() => stores.close());

  const utterances = [
    ...Object.values(simulator.OBJECTION_PHRASINGS).flat(),
    ...playbook.intents.flatMap((i) => i.examples.slice(0, 2).map((e) => `um, ${e.toUpperCase()}!`)),
    'Hello? Is anyone there?',
    'asdf qwerty',
    '',
  ];

  it('the store holds exactly the examples the recogniser matches against', async () => {
    const examples = playbook.intents.reduce((n, i) => n + i.examples.length, 0);
    expect(await stores.vectors.count(vectorCollection('intents', embedder))).toBe(examples);
  });

  it.each([3, 10])('the %i nearest examples: the same examples at the same distances', async (k) => {
    const items: VectorItem[] = playbook.intents.flatMap((intent) =>
      intent.examples.map((example, i) => ({
        id: `${intent.id}:${i}`,
        embedding: embedder.embed(example),
        document: example,
        metadata: { intentId: intent.id, kind: intent.kind },
      })),
    );
    const index = new ExampleIndex(items);
    for (const text of utterances.filter((u) => u.trim() !== '')) {
      const embedding = embedder.embed(text);
      const fromStore = await stores.vectors.query(vectorCollection('intents', embedder), embedding, k);
      const inMemory = index.nearest(embedding, k);
      // The store keeps float32 vectors, so distances agree to about 1e-5 and examples at the same
      // distance may come in either order: at each rank, the store's pick must be, by the index's
      // own reckoning, exactly as near as the index's pick.
      const ours = new Map(index.nearest(embedding, index.size).map((m) => [m.id, m.distance]));
      expect(inMemory).toHaveLength(fromStore.length);
      fromStore.forEach((theirs, rank) => {
        expect(Math.abs(inMemory[rank]!.distance - theirs.distance)).toBeLessThan(1e-4);
        expect({ text, rank, gap: Math.abs(ours.get(theirs.id)! - inMemory[rank]!.distance) < 1e-4 }).toEqual({
          text,
          rank,
          gap: true,
        });
      });
    }
  });

  it('understands without asking the vector store', async () => {
    const query = stores.vectors.query.bind(stores.vectors);
    let queries = 0;
    stores.vectors.query = async (...args) => {
      queries += 1;
      return query(...args);
    };
    const u = await recogniser.understand("honestly it's way too expensive for us");
    expect(u.ranked[0]?.intentId).toBeTruthy();
    expect(queries).toBe(0);
  });

  it('an utterance with no words is unrecognised, not an error', async () => {
    const u = await recogniser.understand('');
    expect(recogniser.pick(u, () => true)).toBeNull();
  });
});
