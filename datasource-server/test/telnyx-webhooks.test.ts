import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { inboundCallId, simulator } from '@mwva/voice-core';
import { sample, startTestServer, type TestServer } from './helpers/server';
import { WebhookSender } from './helpers/signed-webhooks';

/**
 * POST /telnyx/webhooks with real Ed25519 signatures (our own key pair standing in for
 * Telnyx's): what is refused, what is accepted, and that a replay is applied once.
 */
describe('POST /telnyx/webhooks', () => {
  let server: TestServer;
  let carrier: simulator.CarrierSimulator;
  const telnyx = new WebhookSender(() => server.url);
  const post = telnyx.post.bind(telnyx);
  const signed = telnyx.signed.bind(telnyx);

  beforeAll(async () => {
    // A carrier for the commands our answers trigger (it answers 404 for calls it does not know).
    carrier = await simulator.createCarrierSimulator({
      apiKey: 'KEYtest',
      webhookUrl: 'http://127.0.0.1:9/unused',
      connectionId: 'conn-test',
      seed: 1,
    });
    server = await startTestServer({
      TELNYX_API_KEY: 'KEYtest',
      TELNYX_PUBLIC_KEY: telnyx.publicKeyBase64,
      TELNYX_CONNECTION_ID: 'conn-test',
      TELNYX_BASE_URL: `${carrier.url}/v2`,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await carrier?.close();
  });

  let n = 0;
  function event(type = 'call.initiated', extra: Record<string, unknown> = {}) {
    n += 1;
    return {
      data: {
        record_type: 'event',
        event_type: type,
        id: `0ccc7b54-4df3-4bca-a65a-3da1ecc7${String(1000 + n).padStart(4, '0')}`,
        occurred_at: new Date().toISOString(),
        payload: {
          call_control_id: `v3:test-${n}`,
          call_leg_id: `leg-${n}`,
          call_session_id: `session-${n}`,
          connection_id: 'conn-test',
          from: '+15550001111',
          to: '+15550002222',
          direction: 'incoming',
          state: 'parked',
          ...extra,
        },
      },
      meta: { attempt: 1, delivered_to: 'test' },
    };
  }

  async function storedEvents(callId: string) {
    return server.stores.calls.listEvents(callId);
  }

  it('accepts a correctly signed event, stores it and applies it (the call is answered)', async () => {
    const body = JSON.stringify(event());
    const res = await post(body, signed(body));
    expect(res.status).toBe(200);
    const json = (await res.json()) as { status: string; id: string };
    expect(json.status).toBe('accepted');
    await server.voice.engine.idle();
    const callId = inboundCallId(`v3:test-${n}`);
    expect((await storedEvents(callId)).map((e) => e.type)).toEqual(['call.initiated']);
    expect((await server.stores.calls.getCall(callId))?.status).toBe('ringing');
  });

  it('acknowledges a replay of the same data.id but applies it once', async () => {
    const body = JSON.stringify(event());
    const first = await post(body, signed(body));
    const again = await post(body, signed(body));
    const concurrent = await Promise.all([1, 2, 3].map(() => post(body, signed(body))));
    expect(first.status).toBe(200);
    expect(((await again.json()) as { status: string }).status).toBe('duplicate');
    for (const r of concurrent) expect(r.status).toBe(200);
    await server.voice.engine.idle();
    const callId = inboundCallId(`v3:test-${n}`);
    expect(await storedEvents(callId)).toHaveLength(1);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(metrics, 'voice_webhook_duplicates_total')).toBeGreaterThanOrEqual(4);
  });

  const refusals: [string, (body: string) => Record<string, string>, number, string][] = [
    ['no signature header', (b) => ({ 'telnyx-timestamp': signed(b)['telnyx-timestamp']! }), 401, 'missing_signature'],
    [
      'no timestamp header',
      (b) => ({ 'telnyx-signature-ed25519': signed(b)['telnyx-signature-ed25519']! }),
      401,
      'missing_timestamp',
    ],
    [
      'a signature by another key',
      (b) => signed(b, { key: generateKeyPairSync('ed25519').privateKey }),
      401,
      'bad_signature',
    ],
    [
      'a timestamp 301 s old',
      (b) => signed(b, { timestamp: Math.floor(Date.now() / 1000) - 301 }),
      401,
      'stale_timestamp',
    ],
    ['a garbage signature', (b) => ({ ...signed(b), 'telnyx-signature-ed25519': 'not-base64!' }), 401, 'bad_signature'],
  ];

  it.each(refusals)(
    'refuses %s with a clear JSON error and changes nothing',
    async (_name, headers, status, reason) => {
      const e = event();
      const body = JSON.stringify(e);
      const res = await post(body, headers(body));
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: string; reason: string };
      expect(json.reason).toBe(reason);
      expect(json.error.length).toBeGreaterThan(5);
      const callId = inboundCallId(e.data.payload.call_control_id);
      expect(await storedEvents(callId)).toEqual([]);
    },
  );

  it('refuses a body modified after signing', async () => {
    const e = event();
    const body = JSON.stringify(e);
    const headers = signed(body);
    const tampered = body.replace('+15550002222', '+15550009999');
    const res = await post(tampered, headers);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { reason: string }).reason).toBe('bad_signature');
  });

  it('answers a signed body that is not JSON with 400, and a JSON non-event with 422', async () => {
    const notJson = 'this is { not json';
    expect((await post(notJson, signed(notJson))).status).toBe(400);
    const notEvent = JSON.stringify({ data: { hello: 'world' } });
    const res = await post(notEvent, signed(notEvent));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: string }).error).toMatch(/not a Call Control event: data\./);
  });

  it('refuses an oversized body with 413', async () => {
    const body = JSON.stringify(event('call.initiated', { padding: 'x'.repeat(100_000) }));
    expect((await post(body, signed(body))).status).toBe(413);
  });

  it('counts refusals by reason', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(metrics, 'voice_webhook_rejected_total', { reason: 'bad_signature' })).toBeGreaterThanOrEqual(3);
    expect(sample(metrics, 'voice_webhook_rejected_total', { reason: 'stale_timestamp' })).toBeGreaterThanOrEqual(1);
  });

  it('never answers 5xx nor crashes, whatever the body and headers (property-based)', async () => {
    const header = fc.option(fc.oneof(fc.string(), fc.base64String(), fc.integer().map(String)), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.constant(JSON.stringify(event())),
          fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b).toString('latin1')),
        ),
        header,
        header,
        fc.boolean(),
        async (body, signature, timestamp, signIt) => {
          const headers: Record<string, string> = signIt ? signed(body) : {};
          if (signature !== undefined) headers['telnyx-signature-ed25519'] = signature;
          if (timestamp !== undefined) headers['telnyx-timestamp'] = timestamp;
          const res = await post(body, headers);
          expect(res.status).toBeLessThan(500);
        },
      ),
      { numRuns: 150 },
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  }, 60_000);
});
