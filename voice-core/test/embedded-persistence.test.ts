import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { openStores } from '@mwva/voice-core';
import { makeCall, makeTurn, scope } from './contracts/fixtures';

describe('embedded stores on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mwva-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keep what was written across a close and re-open, and migrations run once', async () => {
    const s = scope();
    const first = await openStores({ dataDir: dir }, new Registry());
    await first.calls.upsertCall(makeCall(s, 'kept'));
    await first.transcripts.appendTurn(makeTurn(s, 'kept', 0, { text: 'still here' }));
    await first.graph.upsertObjection({ id: s.id('o'), label: 'price' });
    await first.vectors.upsert('c', [{ id: s.id('v'), embedding: [0.6, 0.8], document: 'doc', metadata: {} }]);
    // Live call state too: the calls in progress when the process stops carry on after a restart.
    expect(await first.state.compareAndSet(s.id('live'), { phase: 'conversing' }, 0, 3600)).toBe(1);
    await first.state.markActive(s.id('live'));
    await first.close();

    const second = await openStores({ dataDir: dir }, new Registry());
    try {
      expect(await second.calls.getCall(s.id('kept'))).toEqual(makeCall(s, 'kept'));
      expect((await second.transcripts.getTranscript(s.id('kept')))[0]?.text).toBe('still here');
      expect((await second.graph.snapshot()).objections).toContainEqual({ id: s.id('o'), label: 'price' });
      expect(await second.vectors.count('c')).toBe(1);
      expect(await second.state.get(s.id('live'))).toEqual({ state: { phase: 'conversing' }, version: 1 });
      expect(await second.state.compareAndSet(s.id('live'), { phase: 'ended' }, 0, 3600)).toBeNull();
      expect(await second.state.listActive()).toContain(s.id('live'));
    } finally {
      await second.close();
    }
  }, 60_000);
});
