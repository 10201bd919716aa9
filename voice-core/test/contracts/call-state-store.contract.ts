import type { CallStateStore } from '@mwva/voice-core';
import { scope, UNICODE_TEXT } from './fixtures';

export function callStateStoreContract(getStore: () => CallStateStore): void {
  describe('CallStateStore contract', () => {
    it('returns null for an unknown call', async () => {
      expect(await getStore().get(scope().id('none'))).toBeNull();
    });

    it('creates with version 0 → 1, then only the holder of the current version may write', async () => {
      const s = scope();
      const id = s.id('call');
      expect(await getStore().compareAndSet(id, { phase: 'ringing' }, 0, 60)).toBe(1);
      expect(await getStore().compareAndSet(id, { phase: 'again' }, 0, 60)).toBeNull();
      expect(await getStore().compareAndSet(id, { phase: 'answered', note: UNICODE_TEXT }, 1, 60)).toBe(2);
      expect(await getStore().compareAndSet(id, { phase: 'stale' }, 1, 60)).toBeNull();
      expect(await getStore().get(id)).toEqual({ state: { phase: 'answered', note: UNICODE_TEXT }, version: 2 });
      await getStore().delete(id);
      expect(await getStore().get(id)).toBeNull();
    });

    it('lets exactly one of many concurrent writers win a version', async () => {
      const s = scope();
      const id = s.id('race');
      await getStore().compareAndSet(id, { n: 0 }, 0, 60);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, n) => getStore().compareAndSet(id, { n }, 1, 60)),
      );
      expect(results.filter((r) => r === 2)).toHaveLength(1);
      expect(results.filter((r) => r === null)).toHaveLength(19);
    });

    it('keeps a large state intact', async () => {
      const s = scope();
      const big = { turns: Array.from({ length: 2000 }, (_, i) => ({ i, text: UNICODE_TEXT })) };
      await getStore().compareAndSet(s.id('big'), big, 0, 60);
      expect((await getStore().get(s.id('big')))?.state).toEqual(big);
    });

    it('expires state after its ttl', async () => {
      const s = scope();
      await getStore().compareAndSet(s.id('ttl'), { x: 1 }, 0, 1);
      await new Promise((r) => setTimeout(r, 1500));
      expect(await getStore().get(s.id('ttl'))).toBeNull();
    });

    it('grants a claim once among concurrent claimers, and again after release', async () => {
      const s = scope();
      const key = s.id('event');
      const results = await Promise.all(Array.from({ length: 10 }, () => getStore().claimOnce(key, 600)));
      expect(results.filter(Boolean)).toHaveLength(1);
      await getStore().releaseClaim(key);
      expect(await getStore().claimOnce(key, 600)).toBe(true);
    });

    it('rate-limits with bursts of one second and shared state', async () => {
      const s = scope();
      const bucket = s.id('dial');
      const results = await Promise.all(Array.from({ length: 8 }, () => getStore().takeToken(bucket, 5)));
      expect(results.filter((w) => w === 0)).toHaveLength(5);
      for (const wait of results.filter((w) => w > 0)) {
        expect(wait).toBeGreaterThan(0);
        expect(wait).toBeLessThanOrEqual(1000);
      }
      // After the advised wait a token is available again.
      const wait = Math.max(...results);
      await new Promise((r) => setTimeout(r, wait + 20));
      expect(await getStore().takeToken(bucket, 5)).toBe(0);
      // Other buckets are independent.
      expect(await getStore().takeToken(s.id('other'), 5)).toBe(0);
    });

    it('hands out capacity slots atomically: never more than the capacity, even racing', async () => {
      const s = scope();
      const before = await getStore().countActive();
      const capacity = before + 3;
      const ids = Array.from({ length: 10 }, (_, i) => s.id(`slot${i}`));
      const got = await Promise.all(ids.map((id) => getStore().acquireSlot(id, capacity)));
      expect(got.filter(Boolean)).toHaveLength(3);
      const holder = ids[got.indexOf(true)]!;
      expect(await getStore().acquireSlot(holder, capacity)).toBe(true); // already holding
      expect(await getStore().countActive()).toBe(capacity);
      await getStore().markInactive(holder);
      expect(await getStore().acquireSlot(s.id('late'), capacity)).toBe(true);
      for (const id of [...ids, s.id('late')]) await getStore().markInactive(id);
      expect(await getStore().countActive()).toBe(before);
    });

    it('counts active calls as a set', async () => {
      const s = scope();
      const before = await getStore().countActive();
      await getStore().markActive(s.id('a'));
      await getStore().markActive(s.id('a'));
      await getStore().markActive(s.id('b'));
      expect(await getStore().countActive()).toBe(before + 2);
      const listed = await getStore().listActive();
      expect(listed.filter((id) => id.startsWith(s.id(''))).sort()).toEqual([s.id('a'), s.id('b')]);
      await getStore().markInactive(s.id('a'));
      await getStore().markInactive(s.id('b'));
      expect(await getStore().countActive()).toBe(before);
    });

    it('reports itself healthy', async () => {
      expect(await getStore().health()).toMatchObject({ store: 'redis', ok: true });
    });
  });
}
