import Telnyx from 'telnyx';
import { createCarrierSimulator, type CarrierSimulator } from '../../src/simulator';
import { API_KEY, CONNECTION_ID, sdk, startReceiver, type Receiver } from './harness';

describe('carrier simulator: Call Control API as the telnyx SDK sees it', () => {
  let sim: CarrierSimulator;
  let receiver: Receiver;
  let client: Telnyx;

  beforeAll(async () => {
    receiver = await startReceiver(() => sim.publicKeyBase64);
    sim = await createCarrierSimulator({
      apiKey: API_KEY,
      webhookUrl: receiver.url,
      connectionId: CONNECTION_ID,
      seed: 7,
      timeScale: 0.01,
      dialRatePerSecond: 5,
    });
    client = sdk(sim.url, 0);
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  const dialBody = { connection_id: CONNECTION_ID, to: '+15551230001', from: '+18005550100' };

  async function status(p: Promise<unknown>): Promise<{ status: number; error: unknown }> {
    try {
      await p;
      return { status: 200, error: null };
    } catch (e) {
      if (e instanceof Telnyx.APIError) return { status: e.status ?? 0, error: e.error };
      throw e;
    }
  }

  it('dials: 200 with Telnyx ids and echoed client_state', async () => {
    const clientState = Buffer.from('hello').toString('base64');
    const res = await client.calls.dial({ ...dialBody, client_state: clientState, command_id: 'dial-1' });
    expect(res.data).toEqual(
      expect.objectContaining({
        call_control_id: expect.stringMatching(/^v3:[A-Za-z0-9_-]+$/),
        call_leg_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        call_session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        is_alive: false,
        record_type: 'call',
        client_state: clientState,
      }),
    );
  });

  it('401 without the bearer key, with the Telnyx error shape', async () => {
    const bad = new Telnyx({ apiKey: 'wrong', baseURL: `${sim.url}/v2`, maxRetries: 0 });
    const r = await status(bad.calls.dial(dialBody));
    expect(r.status).toBe(401);
    expect(r.error).toEqual({ errors: [expect.objectContaining({ code: '10009', title: 'Authentication failed' })] });
    const raw = await fetch(`${sim.url}/v2/calls`, { method: 'POST', body: '{}' });
    expect(raw.status).toBe(401);
  });

  it('422 on bad to, bad connection_id, missing fields, bad AMD mode', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...dialBody, to: '5551234' }, '/to'],
      [{ ...dialBody, from: '+0123' }, '/from'],
      [{ ...dialBody, connection_id: 'nope' }, '/connection_id'],
      [{ to: dialBody.to, from: dialBody.from }, '/connection_id'],
      [{ connection_id: CONNECTION_ID, from: dialBody.from }, '/to'],
      [{ ...dialBody, answering_machine_detection: 'maybe' }, '/answering_machine_detection'],
      [{ ...dialBody, client_state: 'not base64!' }, '/client_state'],
      [{ ...dialBody, timeout_secs: 2 }, '/timeout_secs'],
      [{ ...dialBody, webhook_url: 'ftp://x' }, '/webhook_url'],
    ];
    for (const [body, pointer] of cases) {
      const r = await status(client.calls.dial(body as never));
      expect([r.status, pointer]).toEqual([422, pointer]);
      expect(r.error).toEqual({ errors: [expect.objectContaining({ source: { pointer } })] });
    }
  });

  it('400 on malformed JSON, never a crash', async () => {
    for (const body of ['{', '[1,2]', '"x"', 'null']) {
      const res = await fetch(`${sim.url}/v2/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    }
  });

  it('validates commands: 422 on speak without payload/voice, 404 on unknown calls and commands', async () => {
    const id = await sim.placeInboundCall();
    await client.calls.actions.answer(id.callControlId, {});
    let r = await status(client.calls.actions.speak(id.callControlId, { voice: 'female' } as never));
    expect(r.status).toBe(422);
    expect(r.error).toEqual({ errors: [expect.objectContaining({ source: { pointer: '/payload' } })] });
    r = await status(client.calls.actions.speak(id.callControlId, { payload: 'hi' } as never));
    expect(r.status).toBe(422);
    expect(r.error).toEqual({ errors: [expect.objectContaining({ source: { pointer: '/voice' } })] });
    r = await status(client.calls.actions.reject(id.callControlId, { cause: 'CALL_REJECTED' }));
    expect(r.status).toBe(422); // already answered
    r = await status(client.calls.actions.hangup('v3:does-not-exist', {}));
    expect(r.status).toBe(404);
    const unknown = await fetch(`${sim.url}/v2/calls/${encodeURIComponent(id.callControlId)}/actions/teleport`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}` },
      body: '{}',
    });
    expect(unknown.status).toBe(404);
  });

  it('404 "call has already ended" (90018) after hangup; a repeated command_id is idempotent', async () => {
    const { callControlId } = await sim.placeInboundCall();
    await client.calls.actions.answer(callControlId, { command_id: 'a1' });
    const again = await client.calls.actions.answer(callControlId, { command_id: 'a1' });
    expect(again.data?.result).toBe('ok');
    await client.calls.actions.hangup(callControlId, { command_id: 'h1' });
    const replay = await client.calls.actions.hangup(callControlId, { command_id: 'h1' });
    expect(replay.data?.result).toBe('ok');
    const r = await status(client.calls.actions.speak(callControlId, { payload: 'late', voice: 'female' }));
    expect(r.status).toBe(404);
    expect(r.error).toEqual({ errors: [expect.objectContaining({ code: '90018', title: 'Call has already ended' })] });
    const record = sim.calls().find((c) => c.callControlId === callControlId)!;
    expect(record.commands.map((c) => [c.name, c.status])).toEqual([
      ['answer', 200],
      ['answer', 200],
      ['hangup', 200],
      ['hangup', 200],
      ['speak', 404],
    ]);
    await sim.waitForIdle(10_000);
    const hangups = receiver.received.filter(
      (e) =>
        e.envelope.data.event_type === 'call.hangup' &&
        (e.envelope.data.payload as { call_control_id: string }).call_control_id === callControlId,
    );
    expect(hangups).toHaveLength(1);
    expect(sim.stats().commands.idempotentReplays).toBe(2);
  });

  it('429 with Retry-After beyond the dial rate; the SDK retries 429 by itself when allowed', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        status(client.calls.dial({ ...dialBody, to: `+1555123${String(i).padStart(4, '0')}` })),
      ),
    );
    const limited = results.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]!.error).toEqual({ errors: [expect.objectContaining({ code: '10011' })] });
    const raw = await fetch(`${sim.url}/v2/calls`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(dialBody),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // With retries on (the SDK's default), the same burst eventually succeeds (Retry-After honoured).
    const retrying = sdk(sim.url, 3);
    const ok = await retrying.calls.dial({ ...dialBody, to: '+15559990000' });
    expect(ok.data?.call_control_id).toMatch(/^v3:/);
    expect(sim.stats().dials.rateLimited).toBeGreaterThan(limited.length);
  }, 20_000);
});
