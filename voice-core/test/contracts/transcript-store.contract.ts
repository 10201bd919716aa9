import type { TranscriptStore } from '@mwva/voice-core';
import { makeTurn, scope, UNICODE_TEXT } from './fixtures';

export function transcriptStoreContract(getStore: () => TranscriptStore): void {
  describe('TranscriptStore contract', () => {
    it('returns an empty transcript for an unknown call', async () => {
      expect(await getStore().getTranscript(scope().id('none'))).toEqual([]);
    });

    it('returns turns in seq order whatever the write order, and a re-write replaces a turn', async () => {
      const s = scope();
      const turns = [3, 0, 2, 1].map((seq) => makeTurn(s, 'call', seq));
      for (const t of turns) await getStore().appendTurn(t);
      const corrected = makeTurn(s, 'call', 1, { text: 'corrected', confidence: 0.99, intentId: 'price' });
      await getStore().appendTurn(corrected);
      await getStore().appendTurn(corrected);
      const out = await getStore().getTranscript(s.id('call'));
      expect(out.map((t) => t.seq)).toEqual([0, 1, 2, 3]);
      expect(out[1]).toEqual(corrected);
      expect(out[0]).toEqual(makeTurn(s, 'call', 0));
    });

    it('insertTurn stores a turn only where its seq is free; appendTurn replaces', async () => {
      const s = scope();
      const winner = makeTurn(s, 'race', 4, { text: 'the answer the call really got' });
      const loser = makeTurn(s, 'race', 4, { text: 'a reply planned on the same state, then dropped' });
      // Concurrent, as two replicas planning on the same state write the same seq.
      const [first, second] = await Promise.all([getStore().insertTurn(winner), getStore().insertTurn(loser)]);
      expect([first, second].filter(Boolean)).toHaveLength(1);
      expect(await getStore().insertTurn(loser)).toBe(false);
      await getStore().appendTurn(winner); // the compare-and-set winner writes its own turn again
      expect(await getStore().getTranscript(s.id('race'))).toEqual([winner]);
      expect(await getStore().insertTurn(makeTurn(s, 'race', 5))).toBe(true);
    });

    it('keeps unicode and long text intact', async () => {
      const s = scope();
      const turn = makeTurn(s, 'u', 0, { text: UNICODE_TEXT.repeat(500) });
      await getStore().appendTurn(turn);
      expect((await getStore().getTranscript(s.id('u')))[0]?.text).toBe(turn.text);
    });

    it('keeps every turn of concurrent writers', async () => {
      const s = scope();
      await Promise.all(Array.from({ length: 60 }, (_, seq) => getStore().appendTurn(makeTurn(s, 'busy', seq))));
      const out = await getStore().getTranscript(s.id('busy'));
      expect(out.map((t) => t.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i));
    });

    it('stores a raw webhook once per event id and purges expired ones', async () => {
      const s = scope();
      const fresh = {
        eventId: s.id('w1'),
        receivedAt: s.at(0),
        expiresAt: s.at(600),
        payload: { data: { id: s.id('w1'), t: UNICODE_TEXT } },
      };
      const old = {
        eventId: s.id('w2'),
        receivedAt: s.at(0),
        expiresAt: s.at(60),
        payload: { data: { id: s.id('w2') } },
      };
      expect(await getStore().saveRawWebhooks([fresh])).toBe(1);
      expect(await getStore().saveRawWebhooks([{ ...fresh, payload: { changed: true } }])).toBe(0);
      expect(await getStore().saveRawWebhooks([old, old])).toBe(1);
      expect(await getStore().saveRawWebhooks([])).toBe(0);
      expect(await getStore().getRawWebhook(fresh.eventId)).toEqual(fresh);
      expect(await getStore().getRawWebhook(s.id('none'))).toBeNull();
      expect(await getStore().purgeExpiredWebhooks(s.at(120))).toBeGreaterThanOrEqual(1);
      expect(await getStore().getRawWebhook(old.eventId)).toBeNull();
      expect(await getStore().getRawWebhook(fresh.eventId)).toEqual(fresh);
    });

    it('keeps unrecognised utterances for review, newest first within the range', async () => {
      const s = scope();
      const u = (seq: number, at: number) => ({
        callId: s.id('call'),
        seq,
        text: `${UNICODE_TEXT} ${seq}`,
        at: s.at(at),
        nearestIntentId: seq % 2 ? 'price' : null,
        similarity: 0.12,
      });
      await getStore().saveUnrecognised([u(1, 10), u(2, 30)]);
      await getStore().saveUnrecognised([u(3, 20), u(1, 10)]);
      await getStore().saveUnrecognised([]);
      expect(await getStore().listUnrecognised(s.range(0, 60), 10)).toEqual([u(2, 30), u(3, 20), u(1, 10)]);
      expect(await getStore().listUnrecognised(s.range(0, 60), 1)).toEqual([u(2, 30)]);
      expect(await getStore().listUnrecognised(s.range(15, 25), 10)).toEqual([u(3, 20)]);
    });

    it('reports itself healthy', async () => {
      expect(await getStore().health()).toMatchObject({ store: 'mongodb', ok: true });
    });
  });
}
