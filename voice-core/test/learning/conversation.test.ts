import { Registry } from 'prom-client';
import {
  Agent,
  FirstCandidateChooser,
  HashedNgramEmbedder,
  loadPlaybook,
  openStores,
  Rng,
  ThompsonSamplingChooser,
  UniformRandomChooser,
  type ArmStats,
  type Stores,
} from '@mwva/voice-core';

describe('the hashed n-gram embedder', () => {
  const embedder = new HashedNgramEmbedder();

  it('is deterministic, L2-normalised and of the stated dimension', () => {
    const a = embedder.embed('That price is way too high for us');
    expect(embedder.embed('That price is way too high for us')).toEqual(a);
    expect(new HashedNgramEmbedder().embed('That price is way too high for us')).toEqual(a);
    expect(a).toHaveLength(512);
    expect(Math.hypot(...a)).toBeCloseTo(1, 12);
  });

  it('keeps its hashing stable across releases (stored vectors stay comparable)', () => {
    const v = embedder.embed('price');
    const nonZero = v.map((x, i) => [i, x] as const).filter(([, x]) => x !== 0);
    // Features of "price": the word and its 3–5-grams of " price ". Changing the hashing changes these.
    expect(nonZero.length).toBeGreaterThanOrEqual(10);
    expect(nonZero.map(([i]) => i).slice(0, 4)).toEqual(
      new HashedNgramEmbedder()
        .embed('PRICE!!')
        .map((x, i) => [i, x] as const)
        .filter(([, x]) => x !== 0)
        .map(([i]) => i)
        .slice(0, 4),
    );
  });

  it('ignores case, accents and punctuation, and makes related sentences closer than unrelated ones', () => {
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    expect(embedder.embed('Ça coûte TROP cher!')).toEqual(embedder.embed('ca coute trop cher'));
    const price = embedder.embed('it is too expensive');
    expect(cos(price, embedder.embed('way too expensive for our budget'))).toBeGreaterThan(
      cos(price, embedder.embed('call me back next quarter')),
    );
    expect(embedder.embed('')).toEqual(new Array(512).fill(0));
  });
});

describe('Thompson sampling', () => {
  const arm = (responseId: string, wins: number, trials: number): ArmStats => ({
    objectionId: 'price',
    responseId,
    wins,
    trials,
  });

  it('prefers a clearly better arm once there is evidence (fixed seed)', () => {
    const chooser = new ThompsonSamplingChooser(new Rng('test', 1));
    const arms = [arm('a', 20, 100), arm('b', 80, 100), arm('c', 25, 100)];
    const picks = Array.from({ length: 2000 }, () => chooser.choose('price', arms));
    expect(picks.filter((p) => p === 'b').length / picks.length).toBeGreaterThan(0.99);
  });

  it('explores evenly while nothing is known', () => {
    const chooser = new ThompsonSamplingChooser(new Rng('test', 2));
    const arms = ['a', 'b', 'c', 'd'].map((id) => arm(id, 0, 0));
    const picks = Array.from({ length: 4000 }, () => chooser.choose('price', arms));
    for (const id of ['a', 'b', 'c', 'd']) {
      const share = picks.filter((p) => p === id).length / picks.length;
      // Binomial(4000, 0.25) has sd ≈ 0.007: ±0.04 is more than 5 sd.
      expect(share).toBeGreaterThan(0.21);
      expect(share).toBeLessThan(0.29);
    }
  });

  it('still tries an untested arm now and then when the known one is mediocre', () => {
    const chooser = new ThompsonSamplingChooser(new Rng('test', 3));
    const picks = Array.from({ length: 2000 }, () => chooser.choose('price', [arm('known', 10, 20), arm('new', 0, 0)]));
    expect(picks.filter((p) => p === 'new').length).toBeGreaterThan(200);
  });

  it('with a seed, draws from the draw key alone: the same keys choose the same, in any order', () => {
    const arms = ['a', 'b', 'c', 'd'].map((id) => arm(id, 0, 0));
    const keys = Array.from({ length: 200 }, (_, i) => `outbound:+1555${i}|price|1`);
    const inOrder = new ThompsonSamplingChooser({ seed: 7 });
    const reversed = new ThompsonSamplingChooser({ seed: 7 });
    const forward = keys.map((k) => inOrder.choose('price', arms, k));
    const backward = [...keys]
      .reverse()
      .map((k) => reversed.choose('price', arms, k))
      .reverse();
    expect(backward).toEqual(forward);
    // Still a draw: the keys do not all choose alike, and another seed chooses otherwise.
    expect(new Set(forward).size).toBe(4);
    const otherSeed = new ThompsonSamplingChooser({ seed: 8 });
    expect(keys.map((k) => otherSeed.choose('price', arms, k))).not.toEqual(forward);
  });

  it('the fixed and random choosers behave as named', () => {
    const arms = [arm('b', 0, 0), arm('a', 5, 5)];
    expect(new FirstCandidateChooser().choose('price', arms)).toBe('b');
    const random = new UniformRandomChooser(new Rng('test', 4));
    const picks = new Set(Array.from({ length: 50 }, () => random.choose('price', arms)));
    expect(picks).toEqual(new Set(['a', 'b']));
    expect(() => new FirstCandidateChooser().choose('price', [])).toThrow(/no candidate/);
  });
});

describe('the agent (embedded stores)', () => {
  let stores: Stores;
  let agent: Agent;

  beforeAll(async () => {
    stores = await openStores({ dataDir: null }, new Registry());
    agent = new Agent(
      loadPlaybook(),
      stores.graph,
      stores.vectors,
      new HashedNgramEmbedder(),
      new FirstCandidateChooser(),
    );
    await agent.seed();
  }, 60_000);

  afterAll(() => stores.close());

  it('seeds the playbook idempotently', async () => {
    const first = await stores.graph.snapshot();
    const counts = await agent.seed();
    expect(await stores.graph.snapshot()).toEqual(first);
    expect(counts.decisionPoints).toBe(8); // opening, discovery + 6 objections
    expect(first.arms.every((a) => a.trials === 0)).toBe(true);
  });

  it('answers a recognised objection with one of its candidates, and records the decision point', async () => {
    const reply = await agent.reply('Honestly the cost is way more than we can afford', {
      objectionsHeard: 0,
      prospectTurns: 1,
    });
    expect(reply.intent?.intentId).toBe('price');
    expect(reply.line.decisionPoint).toBe('price');
    expect(
      loadPlaybook()
        .intents.find((i) => i.id === 'price')!
        .responses!.map((r) => r.id),
    ).toContain(reply.line.responseId);
    expect(reply.verdict).toBeNull();
  });

  it('falls back safely on words it does not understand, keeping the nearest guess for review', async () => {
    const reply = await agent.reply('zxqv wobble plinth', { objectionsHeard: 1, prospectTurns: 2 });
    expect(reply.intent).toBeNull();
    expect(reply.line.responseId).toBe('fallback-clarify');
    expect(reply.line.decisionPoint).toBeNull();
    expect(reply.closes).toBe(false);
  });

  it('closes only on a yes; a no is answered like "not interested" and stays open', async () => {
    const yes = await agent.reply("okay, let's do it, sign us up", { objectionsHeard: 2, prospectTurns: 3 });
    expect(yes).toMatchObject({ verdict: 'converted', closes: true });
    const no = await agent.reply("no, we'll pass on this one", { objectionsHeard: 2, prospectTurns: 3 });
    expect(no).toMatchObject({ verdict: 'not_converted', closes: false });
    expect(no.line.decisionPoint).toBe('not_interested');
  });

  it('chooses from pinned learning until pinned again, whatever is credited meanwhile', async () => {
    const pinnedAgent = new Agent(
      loadPlaybook(),
      stores.graph,
      stores.vectors,
      new HashedNgramEmbedder(),
      new ThompsonSamplingChooser({ seed: 1 }),
    );
    await pinnedAgent.pinLearning();
    const before = await pinnedAgent.arms('price');
    const [first] = before;
    await stores.graph.credit('pin-test-call', [{ objectionId: 'price', responseId: first!.responseId }], true);
    pinnedAgent.invalidate('price');
    expect(await pinnedAgent.arms('price')).toEqual(before);
    await pinnedAgent.pinLearning();
    const after = (await pinnedAgent.arms('price')).find((a) => a.responseId === first!.responseId);
    expect(after).toMatchObject({ wins: first!.wins + 1, trials: first!.trials + 1 });
  });

  it('does not read a yes or no into the reply to its opening line', async () => {
    const reply = await agent.reply('Okay, go ahead', { objectionsHeard: 0, prospectTurns: 0 });
    expect(reply.verdict).toBeNull();
  });
});
