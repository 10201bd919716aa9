import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeClientState, inboundCallId, simulator } from '@mwva/voice-core';
import { waitFor } from '@mwva/testkit';
import { startTestServer, type TestServer } from './helpers/server';
import { WebhookSender } from './helpers/signed-webhooks';

/**
 * What Telnyx really sends, fed to the real server: the official example of every Call Control
 * webhook (Telnyx's OpenAPI spec), the nulls and missing fields the spec and SDK document, events
 * without our client_state, bodies that are not valid UTF-8, and poison next to good events.
 */
type Envelope = { event_type: string; id: string; occurred_at: string; payload: Record<string, unknown> };

const SPEC = JSON.parse(
  readFileSync(join(__dirname, '../../voice-core/test/fixtures/telnyx-call-control-examples.json'), 'utf8'),
) as { examples: Record<string, Envelope> };

/** The spec's example of `type`, as a new event (every example shares one id) at the given time. */
function example(type: string, payload: Record<string, unknown> = {}, occurredAt = new Date()): Envelope {
  const base = SPEC.examples[type];
  if (!base) throw new Error(`no spec example for ${type}`);
  return { ...base, id: randomUUID(), occurred_at: occurredAt.toISOString(), payload: { ...base.payload, ...payload } };
}

/** Drops keys from an example payload, as Telnyx may leave any of them out. */
function without(envelope: Envelope, ...keys: string[]): Envelope {
  const payload = { ...envelope.payload };
  for (const k of keys) delete payload[k];
  return { ...envelope, payload };
}

describe('Telnyx webhooks as Telnyx documents them', () => {
  let server: TestServer;
  let carrier: simulator.CarrierSimulator;
  const telnyx = new WebhookSender(() => server.url);

  beforeAll(async () => {
    carrier = await simulator.createCarrierSimulator({
      apiKey: 'KEYtest',
      webhookUrl: 'http://127.0.0.1:9/unused',
      connectionId: 'conn-test',
      seed: 3,
    });
    server = await startTestServer({
      TELNYX_API_KEY: 'KEYtest',
      TELNYX_PUBLIC_KEY: telnyx.publicKeyBase64,
      TELNYX_CONNECTION_ID: 'conn-test',
      TELNYX_BASE_URL: `${carrier.url}/v2`,
      TELNYX_FROM_NUMBER: '+15550100000',
      ANSWERING_MACHINE_DETECTION: 'false',
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await carrier?.close();
  }, 60_000);

  it('acknowledges the official example of every Call Control event and keeps each in the inbox', async () => {
    const events = Object.keys(SPEC.examples).map((type) => example(type));
    for (const e of events) {
      const res = await telnyx.send(e);
      expect({ type: e.event_type, status: res.status }).toEqual({ type: e.event_type, status: 200 });
    }
    await server.voice.engine.idle();
    // None is ours: each is filed under the inbound call its call_control_id names, under the call
    // whose session it shares (the examples without a call_control_id), or as unrouted.
    const candidates = new Set<string>();
    for (const e of events) {
      const p = e.payload as { call_control_id?: string; call_session_id?: string };
      if (p.call_control_id) candidates.add(inboundCallId(p.call_control_id));
      candidates.add(`unrouted:${p.call_session_id}`);
    }
    const stored = new Set<string>();
    for (const callId of candidates) for (const x of await server.stores.calls.listEvents(callId)) stored.add(x.id);
    expect(events.filter((e) => !stored.has(e.id)).map((e) => e.event_type)).toEqual([]);
    // Events of calls we never heard of are retried for a few seconds before the sweep takes over.
  }, 30_000);

  it('applies an inbound call whose events carry the documented nulls and omissions', async () => {
    const controlId = `v3:${randomUUID()}`;
    const ids = { call_control_id: controlId, call_leg_id: randomUUID(), call_session_id: randomUUID() };
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    const callId = inboundCallId(controlId);
    const sequence = [
      without(example('call.initiated', { ...ids, direction: 'incoming' }, at(0)), 'client_state'),
      without(example('call.answered', ids, at(1)), 'client_state'),
      // Telnyx's own example: no client_state, no transcription_track.
      example(
        'call.transcription',
        { ...ids, transcription_data: { transcript: 'hello who is this', confidence: null, is_final: true } },
        at(3),
      ),
      // A transcription without text (spec: every field optional).
      example('call.transcription', { ...ids, transcription_data: { is_final: true } }, at(4)),
      without(example('call.hangup', { ...ids, hangup_cause: 'normal_clearing' }, at(6)), 'client_state'),
      example('call.cost', { ...ids, total_cost: null, billed_duration_secs: null, status: 'error' }, at(7)),
    ];
    for (const e of sequence) expect((await telnyx.send(e)).status).toBe(200);
    await server.voice.engine.idle();
    const call = await server.stores.calls.getCall(callId);
    expect(call).toMatchObject({ status: 'ended', costUsd: null, hangupCause: 'normal_clearing' });
    expect(call?.answeredAt).toBe(at(1).toISOString());
    const transcript = await server.stores.transcripts.getTranscript(callId);
    const heard = transcript.filter((t) => t.speaker === 'prospect');
    expect(heard.map((t) => [t.text, t.confidence])).toEqual([['hello who is this', null]]);
  });

  it('routes an outbound call’s events that lack our client_state by the call_control_id of the dial', async () => {
    const res = await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+15550123456' }) });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    const controlId = await waitFor(
      async () => (await server.stores.calls.getCall(id))?.callControlId ?? undefined,
      30_000,
      'the dial to record the call_control_id',
    );
    const ids = { call_control_id: controlId, call_leg_id: randomUUID(), call_session_id: randomUUID() };
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    expect((await telnyx.send(without(example('call.answered', ids, at(1)), 'client_state'))).status).toBe(200);
    const words = 'it is far too expensive for us';
    expect(
      (
        await telnyx.send(
          example('call.transcription', { ...ids, transcription_data: { transcript: words, is_final: true } }, at(3)),
        )
      ).status,
    ).toBe(200);
    await server.voice.engine.idle();
    const transcript = await server.stores.transcripts.getTranscript(id);
    expect(transcript.filter((t) => t.speaker === 'prospect').map((t) => t.text)).toEqual([words]);
    expect((await server.stores.calls.getCall(id))?.answeredAt).toBe(at(1).toISOString());
  });

  it('verifies the signature over the raw bytes: a signed body that is not valid UTF-8 is accepted', async () => {
    const e = example('call.initiated', { call_control_id: `v3:${randomUUID()}`, caller_id_name: 'PLACEHOLDER' });
    const text = JSON.stringify({ data: e });
    const at = text.indexOf('PLACEHOLDER');
    // "ACME" then the bytes ff fe (never valid UTF-8) inside the JSON string.
    const bytes = Buffer.concat([
      Buffer.from(text.slice(0, at)),
      Buffer.from([0x41, 0x43, 0x4d, 0x45, 0xff, 0xfe]),
      Buffer.from(text.slice(at + 'PLACEHOLDER'.length)),
    ]);
    const res = await telnyx.post(bytes, telnyx.signed(bytes));
    expect(res.status).toBe(200);
    const stored = await server.stores.calls.listEvents(inboundCallId(e.payload.call_control_id as string));
    expect(stored[0]?.payload.caller_id_name).toBe('ACME\uFFFD\uFFFD');
  });

  it('isolates poison: NUL characters are stored as U+FFFD and 20,000-deep JSON gets 422, while 30 good events sent with them all succeed', async () => {
    const good = Array.from({ length: 30 }, () =>
      example('call.speak.started', { call_control_id: `v3:${randomUUID()}`, client_state: null }),
    );
    const nul = example('call.initiated', {
      call_control_id: `v3:${randomUUID()}`,
      direction: 'incoming',
      caller_id_name: 'ACME\u0000Corp',
      'key\u0000with-nul': 'x',
    });
    const deepBody = `{"data":{"id":"${randomUUID()}","event_type":"call.initiated","payload":${'['.repeat(20_000)}${']'.repeat(20_000)}}}`;
    const results = await Promise.all([
      ...good.map((e) => telnyx.send(e)),
      telnyx.send(nul),
      telnyx.post(deepBody, telnyx.signed(deepBody)),
    ]);
    const deep = results.pop()!;
    const nulResult = results.pop()!;
    expect(results.map((r) => r.status)).toEqual(good.map(() => 200));
    expect(nulResult.status).toBe(200);
    expect(deep.status).toBe(422);
    expect(await deep.json()).toMatchObject({ reason: 'invalid_event', field: 'body' });
    const stored = await server.stores.calls.listEvents(inboundCallId(nul.payload.call_control_id as string));
    expect(stored[0]?.payload).toMatchObject({ caller_id_name: 'ACME\uFFFDCorp', 'key\uFFFDwith-nul': 'x' });
  });

  it('answers 400 naming the field for a NUL in a call request, and stores nothing', async () => {
    const res = await server.api('/api/calls', {
      method: 'POST',
      body: JSON.stringify({ to: '+15550123456', persona: 'ACME\u0000Corp' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { fields: Record<string, string> }).fields).toHaveProperty('persona');
  });

  it('routes by our client_state first, whatever call_control_id the event names', async () => {
    const res = await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+15550123457' }) });
    const { id } = (await res.json()) as { id: string };
    await waitFor(async () => (await server.stores.calls.getCall(id))?.callControlId ?? undefined, 30_000, 'the dial');
    const e = example('call.answered', {
      call_control_id: `v3:${randomUUID()}`, // not the dialled one: client_state decides
      client_state: encodeClientState({ callId: id }),
    });
    expect((await telnyx.send(e)).status).toBe(200);
    await server.voice.engine.idle();
    expect((await server.stores.calls.listEvents(id)).map((x) => x.id)).toContain(e.id);
  });
});
