import request from 'supertest';
import { DashboardReads, DEFAULT_BEAST_MODE, openStores, type Stores } from '@mwva/voice-core';
import { createApp, createEmbedder, createLogger, createRegistry, loadEnv } from '@mwva/datasource-server';
import { createVoiceRuntime, type VoiceRuntime } from '../src/voice/runtime';
import { Readiness } from '../src/http/readiness';
import { FAILED_AUTH_LIMIT } from '../src/http/app';

const TOKEN = 'test-token-0123456789abcdef';

describe('HTTP skeleton (embedded stores in memory)', () => {
  let stores: Stores;
  let readiness: Readiness;
  let voice: VoiceRuntime;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    const registry = createRegistry();
    const logger = createLogger('silent');
    const env = loadEnv({ SIMULATION_CALLS_PER_MINUTE: '0' });
    const embedder = createEmbedder();
    stores = await openStores({ dataDir: null }, registry);
    readiness = new Readiness(stores);
    readiness.state = 'ready';
    // Built, never started: no background work, and no calls reach this app.
    voice = await createVoiceRuntime({ env, stores, registry, logger, embedder });
    const reads = new DashboardReads(stores, {
      capacity: 10,
      scalingThreshold: 80,
      beastMode: DEFAULT_BEAST_MODE,
      embedder,
    });
    app = createApp({ logger, registry, readiness, apiToken: TOKEN, stores, reads, voice });
  }, 60_000);

  afterAll(async () => {
    await voice.close();
    await stores.close();
  });

  it('GET / lists the endpoints (a newcomer opening the address gets a map, not an error)', async () => {
    const res = await request(app).get('/').expect(200);
    expect(res.body.name).toBe('voice-agent-api');
    expect(Object.keys(res.body.endpoints)).toEqual(
      expect.arrayContaining(['GET /readyz', 'POST /telnyx/webhooks', 'POST /api/grafana/query']),
    );
  });

  it('GET /healthz answers without touching stores', async () => {
    const res = await request(app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz lists every store as embedded and healthy', async () => {
    const res = await request(app).get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ready');
    expect(
      res.body.stores.map((s: { store: string; kind: string; ok: boolean }) => `${s.store}:${s.kind}:${s.ok}`),
    ).toEqual([
      'postgres:embedded:true',
      'mongodb:embedded:true',
      'neo4j:embedded:true',
      'chroma:embedded:true',
      'redis:embedded:true',
    ]);
  });

  it('GET /readyz turns 503 while draining', async () => {
    readiness.state = 'draining';
    try {
      const res = await request(app).get('/readyz');
      expect(res.status).toBe(503);
      expect(res.body.status).toBe('draining');
    } finally {
      readiness.state = 'ready';
    }
  });

  it('GET /metrics serves Prometheus text with Node defaults and voice_ metrics', async () => {
    await stores.calls.getCall('warm-up');
    await request(app).get('/healthz');
    const res = await request(app).get('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.text).toMatch(/^# TYPE process_resident_memory_bytes gauge$/m);
    expect(res.text).toMatch(/^# TYPE nodejs_eventloop_lag_p99_seconds gauge$/m);
    expect(
      sample(res.text, 'voice_store_duration_seconds_count', { store: 'postgres', op: 'getCall', result: 'ok' }),
    ).toBe(1);
    expect(
      sample(res.text, 'voice_http_request_duration_seconds_count', { route: '/healthz', status: '200' }),
    ).toBeGreaterThan(0);
  });

  describe('/api auth', () => {
    it('refuses a request without a token', async () => {
      const res = await request(app).get('/api/anything');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ error: 'missing bearer token' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
    });

    it.each([`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer x', `Basic ${TOKEN}`, TOKEN])(
      'refuses a wrong token (%s)',
      async (header) => {
        const res = await request(app).get('/api/anything').set('Authorization', header);
        expect(res.status).toBe(401);
      },
    );

    it('lets the right token through to routing', async () => {
      const res = await request(app).get('/api/anything').set('Authorization', `Bearer ${TOKEN}`);
      expect(res.status).toBe(404);
      expect(res.body.error).toBe('no route for GET /api/anything');
    });

    it('answers malformed JSON with 400, not a crash', async () => {
      const res = await request(app)
        .post('/api/anything')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Content-Type', 'application/json')
        .send('{"unterminated');
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ error: 'malformed JSON body' });
    });

    it('answers an oversized body with 413', async () => {
      const res = await request(app)
        .post('/api/anything')
        .set('Authorization', `Bearer ${TOKEN}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ blob: 'x'.repeat(1_200_000) }));
      expect(res.status).toBe(413);
    });

    it(`locks out an address after ${FAILED_AUTH_LIMIT} failed authentications in a minute, and only that address`, async () => {
      const from = (ip: string) => request(app).get('/api/anything').set('X-Forwarded-For', ip);
      for (let i = 0; i < FAILED_AUTH_LIMIT; i += 1) {
        expect((await from('203.0.113.7').set('Authorization', 'Bearer wrong-token')).status).toBe(401);
      }
      const locked = await from('203.0.113.7').set('Authorization', 'Bearer wrong-token');
      expect(locked.status).toBe(429);
      expect(locked.body.error).toMatch(/too many failed authentication attempts/);
      expect((await from('203.0.113.7').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(429);
      expect((await from('203.0.113.8').set('Authorization', `Bearer ${TOKEN}`)).status).toBe(404);
    });

    it('never locks out a client whose requests fail for other reasons than authentication', async () => {
      for (let i = 0; i < FAILED_AUTH_LIMIT + 5; i += 1) {
        const res = await request(app)
          .get('/api/anything')
          .set('X-Forwarded-For', '203.0.113.9')
          .set('Authorization', `Bearer ${TOKEN}`);
        expect(res.status).toBe(404);
      }
    });
  });

  it('sets the usual security headers (helmet) on every answer', async () => {
    for (const path of ['/healthz', '/api/anything']) {
      const res = await request(app).get(path);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
  });
});

/** The value of the first sample of `name` carrying all `labels`, whatever their order. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
