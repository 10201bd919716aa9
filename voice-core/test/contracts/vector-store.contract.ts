import type { VectorStore } from '@mwva/voice-core';
import { axis, scope, UNICODE_TEXT } from './fixtures';

const DIM = 16;

export function vectorStoreContract(getStore: () => VectorStore): void {
  describe('VectorStore contract', () => {
    it('answers an unknown collection with nothing', async () => {
      const s = scope();
      expect(await getStore().query(s.id('none'), axis(DIM, 0), 3)).toEqual([]);
      expect(await getStore().count(s.id('none'))).toBe(0);
      expect(await getStore().get(s.id('none'), 'x')).toBeNull();
    });

    it('returns the nearest items by cosine distance, nearest first', async () => {
      const s = scope();
      const col = s.id('objections');
      await getStore().upsert(col, [
        { id: 'far', embedding: axis(DIM, 5), document: 'far', metadata: { kind: 'objection' } },
        { id: 'near', embedding: axis(DIM, 0, 1, 0.1), document: 'near', metadata: { kind: 'objection', n: 1 } },
        { id: 'exact', embedding: axis(DIM, 0), document: 'exact', metadata: { kind: 'objection', ok: true } },
      ]);
      const matches = await getStore().query(col, axis(DIM, 0), 2);
      expect(matches.map((m) => m.id)).toEqual(['exact', 'near']);
      expect(matches[0]?.distance).toBeCloseTo(0, 5);
      expect(matches[1]?.distance).toBeCloseTo(1 - 1 / Math.hypot(1, 0.1), 4);
      expect(matches[1]?.metadata).toEqual({ kind: 'objection', n: 1 });
    });

    it('upserts by id: a re-write replaces, the count stays', async () => {
      const s = scope();
      const col = s.id('c');
      await getStore().upsert(col, [{ id: 'a', embedding: axis(DIM, 1), document: 'one', metadata: { v: 1 } }]);
      await getStore().upsert(col, [{ id: 'a', embedding: axis(DIM, 2), document: UNICODE_TEXT, metadata: { v: 2 } }]);
      expect(await getStore().count(col)).toBe(1);
      const item = await getStore().get(col, 'a');
      expect(item?.document).toBe(UNICODE_TEXT);
      expect(item?.metadata).toEqual({ v: 2 });
      item?.embedding.forEach((x, i) => expect(x).toBeCloseTo(axis(DIM, 2)[i] ?? 0, 5));
    });

    it('takes a large batch and concurrent writers', async () => {
      const s = scope();
      const col = s.id('big');
      const batch = Array.from({ length: 500 }, (_, i) => ({
        id: `b${i}`,
        embedding: axis(DIM, i % DIM, (i + 1) % DIM, (i % 7) / 10),
        document: `utterance ${i} ${UNICODE_TEXT}`,
        metadata: { i },
      }));
      await Promise.all([0, 1, 2, 3, 4].map((k) => getStore().upsert(col, batch.slice(k * 100, k * 100 + 100))));
      expect(await getStore().count(col)).toBe(500);
      const top = await getStore().query(col, axis(DIM, 3), 5);
      expect(top).toHaveLength(5);
      for (let i = 1; i < top.length; i += 1) expect(top[i]!.distance).toBeGreaterThanOrEqual(top[i - 1]!.distance);
    });

    it('reports itself healthy', async () => {
      expect(await getStore().health()).toMatchObject({ store: 'chroma', ok: true });
    });
  });
}
