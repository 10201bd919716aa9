import { probeHealth } from '@mwva/voice-core';

describe('a store health probe', () => {
  it('reports a store that answers as up, with its round trip', async () => {
    const health = await probeHealth('redis', 'native', () => new Promise((r) => setTimeout(r, 20)));
    expect(health).toMatchObject({ store: 'redis', kind: 'native', ok: true });
    expect(health.latencyMs).toBeGreaterThanOrEqual(15);
  });

  it('reports a failing store as down with the reason', async () => {
    const health = await probeHealth('neo4j', 'native', () => Promise.reject(new Error('connection refused')));
    expect(health).toMatchObject({ store: 'neo4j', ok: false, error: 'connection refused' });
  });

  it('reports a store that never answers as down once the deadline passes, instead of hanging', async () => {
    const health = await probeHealth('mongodb', 'native', () => new Promise(() => undefined), 100);
    expect(health).toMatchObject({
      store: 'mongodb',
      ok: false,
      error: 'no answer to the health probe within 100 ms',
    });
  });
});
