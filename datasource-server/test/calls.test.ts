import { inboundCallId } from '@mwva/voice-core';
import { waitFor } from '@mwva/testkit';
import { sample, startTestServer, type TestServer } from './helpers/server';
import { expectSameAsCarrier, ourCall } from './helpers/simulated-calls';

/**
 * Calls end to end: the real telnyx SDK sends our commands to the simulated carrier, which
 * answers with signed webhooks to our real HTTP route. Simulated time runs 20× faster.
 */
describe('calls through the voice core (simulated carrier, real SDK, embedded stores)', () => {
  let server: TestServer;
  const finalized = new Set<string>();

  beforeAll(async () => {
    server = await startTestServer(
      { DIAL_RATE_PER_SECOND: '30' },
      { simulator: { seed: 11, timeScale: 0.05 }, onFinalized: (id) => void finalized.add(id) },
    );
  }, 60_000);

  afterAll(() => server?.stop());

  const carrier = () => server.voice.carrier!;
  const simCall = (callControlId: string) =>
    carrier()
      .calls()
      .find((c) => c.callControlId === callControlId)!;

  it('an inbound call is answered, greeted, its objections answered, ended and counted once', async () => {
    const { callControlId } = await carrier().placeInboundCall({ from: '+15550101001', to: '+15550100000' });
    const callId = inboundCallId(callControlId);
    await waitFor(async () => (finalized.has(callId) ? true : undefined), 30_000, 'the call to be finalized');
    const sim = simCall(callControlId);
    expect(sim.answered).toBe(true);

    const call = (await server.stores.calls.getCall(callId))!;
    expect(call).toMatchObject({ direction: 'inbound', from: '+15550101001', to: '+15550100000', status: 'ended' });
    expect(call.answeredAt).not.toBeNull();
    expect(call.costUsd).toBeGreaterThan(0);
    await expectSameAsCarrier(server, sim);

    const types = (await server.stores.calls.listEvents(callId)).map((e) => e.type);
    expect(types[0]).toBe('call.initiated');
    expect(types).toContain('call.answered');
    expect(types).toContain('call.transcription');
    expect(types.filter((t) => t === 'call.hangup')).toHaveLength(1);
    const transcript = await server.stores.transcripts.getTranscript(callId);
    expect(transcript[0]).toMatchObject({ seq: 0, speaker: 'agent', intentId: 'opening' });
    expect(transcript.map((t) => t.seq)).toEqual(transcript.map((_, i) => i));
    expect(await server.stores.calls.isRolledUp(callId)).toBe(true);
  }, 60_000);

  it('an outbound call queued through POST /api/calls is dialled and ends as the carrier saw it', async () => {
    const res = await server.api('/api/calls', {
      method: 'POST',
      body: JSON.stringify({ to: '+15550107777', persona: 'cfo' }),
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string; status: string };
    expect(res.headers.get('location')).toBe(`/api/calls/${id}`);
    await waitFor(async () => (finalized.has(id) ? true : undefined), 30_000, 'the outbound call to be finalized');
    const call = (await (await server.api(`/api/calls/${id}`)).json()) as {
      callControlId: string;
      persona: string;
      direction: string;
    };
    expect(call).toMatchObject({ direction: 'outbound', persona: 'cfo' });
    const sim = simCall(call.callControlId);
    expect(sim.direction).toBe('outbound');
    expect(sim.to).toBe('+15550107777');
    await expectSameAsCarrier(server, sim);
  }, 60_000);

  it('answers bad call requests with 400 and the field at fault, and unknown calls with 404', async () => {
    const bad = await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '555-1234', from: 42 }) });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { fields: Record<string, string> };
    expect(Object.keys(body.fields).sort()).toEqual(['from', 'to']);
    expect(body.fields.to).toMatch(/E\.164/);
    expect((await server.api('/api/calls', { method: 'POST', body: '{' })).status).toBe(400);
    expect((await server.api('/api/calls/not-a-uuid')).status).toBe(400);
    expect((await server.api('/api/calls/6f1c1c3e-0000-4000-8000-000000000000')).status).toBe(404);
    const outcome = await server.api('/api/calls/6f1c1c3e-0000-4000-8000-000000000000/outcome', {
      method: 'POST',
      body: JSON.stringify({ outcome: 'maybe' }),
    });
    expect(outcome.status).toBe(400);
  });

  it('takes a CRM outcome before the call is counted, credits it once, and refuses a different one after', async () => {
    const res = await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: '+15550108888' }) });
    const { id } = (await res.json()) as { id: string };
    const disposition = await server.api(`/api/calls/${id}/outcome`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'converted' }),
    });
    expect(disposition.status).toBe(200);
    await waitFor(async () => (finalized.has(id) ? true : undefined), 30_000, 'the call to be finalized');
    const call = (await server.stores.calls.getCall(id))!;
    // The CRM is the system of record for dispositions: its word wins over the conversation's.
    expect(call.outcome).toBe('converted');
    const again = await server.api(`/api/calls/${id}/outcome`, {
      method: 'POST',
      body: JSON.stringify({ outcome: call.outcome }),
    });
    expect(((await again.json()) as { result: string }).result).toBe('unchanged');
    const other = call.outcome === 'converted' ? 'not_converted' : 'converted';
    const conflict = await server.api(`/api/calls/${id}/outcome`, {
      method: 'POST',
      body: JSON.stringify({ outcome: other }),
    });
    expect(conflict.status).toBe(409);
  }, 60_000);

  it('exposes the call metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(text, 'voice_calls_total', { direction: 'inbound' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'voice_webhook_duration_seconds_count', { event_type: 'call.initiated' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'voice_command_duration_seconds_count', { command: 'answer' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'voice_turn_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'voice_call_setup_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/^voice_calls_active\{.*\} \d+$/m);
    expect(text).toMatch(/^voice_capacity_utilization\{.*\} [\d.e-]+$/m);
  });

  it('finds our record of every carrier call', async () => {
    for (const sim of carrier().calls()) expect(await ourCall(server, sim)).not.toBeNull();
  });
});
