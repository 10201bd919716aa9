import type { LearningGraph } from '@mwva/voice-core';
import { scope, UNICODE_TEXT } from './fixtures';

export function learningGraphContract(getGraph: () => LearningGraph): void {
  describe('LearningGraph contract', () => {
    async function seed(s: ReturnType<typeof scope>) {
      const g = getGraph();
      await g.upsertObjection({ id: s.id('price'), label: 'Too expensive' });
      for (const r of ['b', 'a', 'c']) {
        await g.upsertResponse({ id: s.id(r), text: `response ${r}`, skill: 'objection_handling' });
        await g.linkCandidate(s.id('price'), s.id(r));
      }
    }

    it('has no arms for an unknown objection', async () => {
      expect(await getGraph().getArms(scope().id('none'))).toEqual([]);
    });

    it('links candidates with zero statistics, ordered by response id, idempotently', async () => {
      const s = scope();
      await seed(s);
      await seed(s);
      expect(await getGraph().getArms(s.id('price'))).toEqual(
        ['a', 'b', 'c'].map((r) => ({ objectionId: s.id('price'), responseId: s.id(r), wins: 0, trials: 0 })),
      );
    });

    it('credits each call exactly once, and a pair used twice in a call once', async () => {
      const s = scope();
      await seed(s);
      const pair = { objectionId: s.id('price'), responseId: s.id('a') };
      expect(await getGraph().credit(s.id('call1'), [pair, pair], true)).toBe(true);
      expect(await getGraph().credit(s.id('call1'), [pair], true)).toBe(false);
      expect(await getGraph().credit(s.id('call2'), [pair], false)).toBe(true);
      const arms = await getGraph().getArms(s.id('price'));
      expect(arms.find((a) => a.responseId === s.id('a'))).toMatchObject({ wins: 1, trials: 2 });
      expect(arms.find((a) => a.responseId === s.id('b'))).toMatchObject({ wins: 0, trials: 0 });
    });

    it('re-linking keeps learned statistics', async () => {
      const s = scope();
      await seed(s);
      await getGraph().credit(s.id('call'), [{ objectionId: s.id('price'), responseId: s.id('b') }], true);
      await seed(s);
      expect((await getGraph().getArms(s.id('price'))).find((a) => a.responseId === s.id('b'))).toMatchObject({
        wins: 1,
        trials: 1,
      });
    });

    it('counts every credit of many concurrent calls exactly once', async () => {
      const s = scope();
      await seed(s);
      const pair = { objectionId: s.id('price'), responseId: s.id('c') };
      // 40 calls, each delivered twice at once: 40 trials, 20 wins.
      const credits = Array.from({ length: 40 }, (_, i) => [s.id(`call${i}`), i % 2 === 0] as const);
      const results = await Promise.all(
        [...credits, ...credits].map(([id, won]) => getGraph().credit(id, [pair], won)),
      );
      expect(results.filter(Boolean)).toHaveLength(40);
      expect((await getGraph().getArms(s.id('price'))).find((a) => a.responseId === s.id('c'))).toMatchObject({
        wins: 20,
        trials: 40,
      });
    });

    it('keeps unicode labels and shows everything in the snapshot', async () => {
      const s = scope();
      await getGraph().upsertObjection({ id: s.id('u'), label: UNICODE_TEXT });
      await getGraph().upsertResponse({ id: s.id('ur'), text: UNICODE_TEXT, skill: 'closing' });
      await getGraph().linkCandidate(s.id('u'), s.id('ur'));
      const snap = await getGraph().snapshot();
      expect(snap.objections).toContainEqual({ id: s.id('u'), label: UNICODE_TEXT });
      expect(snap.responses).toContainEqual({ id: s.id('ur'), text: UNICODE_TEXT, skill: 'closing' });
      expect(snap.arms).toContainEqual({ objectionId: s.id('u'), responseId: s.id('ur'), wins: 0, trials: 0 });
    });

    it('reports itself healthy', async () => {
      expect(await getGraph().health()).toMatchObject({ store: 'neo4j', ok: true });
    });
  });
}
