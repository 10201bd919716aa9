import { createCarrierSimulator, type CarrierSimulator } from '../../src/simulator';
import { API_KEY, CONNECTION_ID, minimalAgent, sdk, startReceiver, type Receiver } from './harness';

function types(rs: ReturnType<Receiver['eventsOf']>): string[] {
  return rs.map((r) => r.envelope.data.event_type);
}

describe('carrier simulator: signed webhooks and full calls with a minimal agent', () => {
  let sim: CarrierSimulator;
  let receiver: Receiver;

  beforeAll(async () => {
    let client: ReturnType<typeof sdk> | null = null;
    receiver = await startReceiver(
      () => sim.publicKeyBase64,
      (r) => minimalAgent(client!)(r),
    );
    sim = await createCarrierSimulator({
      apiKey: API_KEY,
      webhookUrl: receiver.url,
      connectionId: CONNECTION_ID,
      seed: 42,
      timeScale: 0.005,
    });
    client = sdk(sim.url);
  });

  afterAll(async () => {
    await sim.close();
    await receiver.close();
  });

  it('signs with Ed25519 in a way the pinned SDK verifier accepts (client.webhooks.unwrap)', async () => {
    const { callControlId } = await sim.placeInboundCall();
    await sim.waitForIdle(20_000);
    const first = receiver.eventsOf(callControlId)[0]!;
    const client = new (await import('telnyx')).default({ apiKey: API_KEY, publicKey: sim.publicKeyBase64 });
    const event = (await client.webhooks.unwrap(first.raw, { headers: first.headers })) as {
      data?: { event_type?: string };
    };
    expect(event.data?.event_type).toBe('call.initiated');
    await expect(
      client.webhooks.unwrap(first.raw.replace('call.initiated', 'call.initiatex'), { headers: first.headers }),
    ).rejects.toThrow(/signature/i);
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers['telnyx-timestamp']).toMatch(/^\d+$/);
    expect(receiver.verifyErrors).toEqual([]);
  });

  it('runs a full inbound call: initiated → answered → speak/transcription turns → hangup → cost', async () => {
    const { callControlId } = await sim.placeInboundCall({ from: '+15557654321' });
    await sim.waitForIdle(30_000);
    const events = receiver.eventsOf(callControlId);
    const seq = types(events);
    expect(seq[0]).toBe('call.initiated');
    expect(seq[1]).toBe('call.answered');
    expect(seq.filter((t) => t === 'call.hangup')).toHaveLength(1);
    expect(seq.at(-1)).toBe('call.cost');
    expect(seq.indexOf('call.cost')).toBeGreaterThan(seq.indexOf('call.hangup'));
    expect(seq).toContain('call.speak.started');
    expect(seq).toContain('call.speak.ended');
    expect(seq.filter((t) => t === 'call.transcription').length).toBeGreaterThanOrEqual(3);

    const initiated = events[0]!.envelope;
    expect(initiated.data).toEqual(
      expect.objectContaining({ record_type: 'event', id: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
    );
    expect(initiated.data.occurred_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(initiated.meta).toEqual({ attempt: 1, delivered_to: receiver.url });
    expect(initiated.data.payload).toEqual(
      expect.objectContaining({
        direction: 'incoming',
        state: 'parked',
        from: '+15557654321',
        connection_id: CONNECTION_ID,
      }),
    );
    const ids = new Set(
      events.map((e) => {
        const p = e.envelope.data.payload as Record<string, string>;
        return `${p['call_control_id']}|${p['call_leg_id']}|${p['call_session_id']}`;
      }),
    );
    expect(ids.size).toBe(1);
    // As in Telnyx's own example: no client_state and, with the default engine, no track.
    for (const t of events.filter((e) => e.envelope.data.event_type === 'call.transcription')) {
      const p = t.envelope.data.payload as { client_state?: string; transcription_data: Record<string, unknown> };
      expect(p.client_state).toBeUndefined();
      expect(Object.keys(p.transcription_data).sort()).toEqual(['confidence', 'is_final', 'transcript']);
    }

    const hangup = events.find((e) => e.envelope.data.event_type === 'call.hangup')!.envelope.data.payload as Record<
      string,
      unknown
    >;
    expect(hangup).toEqual(
      expect.objectContaining({
        hangup_cause: 'normal_clearing',
        hangup_source: 'callee', // our side (the callee of an inbound call) hung up after the verdict
        start_time: expect.any(String),
        call_quality_stats: expect.objectContaining({ inbound: expect.objectContaining({ mos: expect.any(String) }) }),
      }),
    );
    expect(hangup).not.toHaveProperty('end_time'); // not in Telnyx's schema
    const cost = events.at(-1)!.envelope.data.payload as Record<string, unknown>;
    expect(cost).toEqual(
      cost.status === 'success'
        ? expect.objectContaining({
            total_cost: expect.stringMatching(/^\d+\.\d{4}$/),
            billed_duration_secs: expect.any(Number),
          })
        : expect.objectContaining({ status: 'error', total_cost: null, billed_duration_secs: null }),
    );

    const record = sim.calls().find((c) => c.callControlId === callControlId)!;
    expect(record.decided).toBe(true);
    expect(record.answers).toHaveLength(record.plannedObjections.length);
    expect(record.answers.every((a) => a.text !== null)).toBe(true);
    expect(record.outcome).toBe(record.converted ? 'converted' : 'declined');
    expect(record.endedBy).toBe('agent');
    const finals = events
      .filter((e) => e.envelope.data.event_type === 'call.transcription')
      .map(
        (e) =>
          (e.envelope.data.payload as { transcription_data: { is_final: boolean; transcript: string } })
            .transcription_data,
      )
      .filter((t) => t.is_final)
      .map((t) => t.transcript);
    expect(finals.at(-1)).toBe(record.utterances.at(-1)!.text);
  });

  it('runs full outbound calls (dial with AMD): every call ends with exactly one hangup and then call.cost', async () => {
    const client = sdk(sim.url);
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await client.calls.dial({
        connection_id: CONNECTION_ID,
        to: `+1555300${String(i).padStart(4, '0')}`,
        from: '+18005550100',
        answering_machine_detection: 'detect',
        client_state: Buffer.from(`lead-${i}`).toString('base64'),
      });
      ids.push(res.data!.call_control_id);
    }
    await sim.waitForIdle(60_000);
    const records = sim.calls().filter((c) => ids.includes(c.callControlId));
    for (const id of ids) {
      const events = receiver.eventsOf(id);
      const seq = types(events);
      const record = records.find((r) => r.callControlId === id)!;
      expect(seq[0]).toBe('call.initiated');
      expect((events[0]!.envelope.data.payload as { direction: string }).direction).toBe('outgoing');
      expect(seq.filter((t) => t === 'call.hangup')).toHaveLength(1);
      expect(seq.at(-1)).toBe('call.cost');
      const hangup = events.find((e) => e.envelope.data.event_type === 'call.hangup')!.envelope.data.payload as {
        hangup_cause: string;
        client_state: string;
      };
      expect(hangup.client_state).toBe(Buffer.from(`lead-${ids.indexOf(id)}`).toString('base64'));
      if (record.answered) {
        expect(seq[1]).toBe('call.answered');
        const amd = events.find((e) => e.envelope.data.event_type === 'call.machine.detection.ended')!;
        // Telnyx's example of this event has our client_state but no call_control_id.
        expect(amd.envelope.data.payload).not.toHaveProperty('call_control_id');
        expect(amd.envelope.data.payload).toHaveProperty(
          'client_state',
          Buffer.from(`lead-${ids.indexOf(id)}`).toString('base64'),
        );
      } else {
        expect(['timeout', 'user_busy']).toContain(hangup.hangup_cause);
        expect(seq).not.toContain('call.answered');
      }
      if (record.machine) expect(record.outcome).toBe('machine');
    }
    expect(records.some((r) => r.decided)).toBe(true);
  }, 90_000);

  it('sends the documented variants: call.cost with a failed calculation, or none at all when cost webhooks are off', async () => {
    const variants = [
      { payloads: { costErrorRate: 1 }, expected: ['error'] },
      { payloads: { callCostWebhooks: false }, expected: [] },
    ];
    for (const { payloads, expected } of variants) {
      let client: ReturnType<typeof sdk> | null = null;
      let other: CarrierSimulator | null = null;
      const r = await startReceiver(
        () => other!.publicKeyBase64,
        (e) => minimalAgent(client!)(e),
      );
      other = await createCarrierSimulator({
        apiKey: API_KEY,
        webhookUrl: r.url,
        connectionId: CONNECTION_ID,
        seed: 7,
        timeScale: 0.005,
        payloads,
      });
      client = sdk(other.url);
      try {
        const { callControlId } = await other.placeInboundCall();
        await other.waitForIdle(30_000);
        const costs = r
          .eventsOf(callControlId)
          .filter((e) => e.envelope.data.event_type === 'call.cost')
          .map(
            (e) => e.envelope.data.payload as { status: string; total_cost: unknown; billed_duration_secs: unknown },
          );
        expect(costs.map((c) => c.status)).toEqual(expected);
        for (const c of costs) expect([c.total_cost, c.billed_duration_secs]).toEqual([null, null]);
      } finally {
        await other.close();
        await r.close();
      }
    }
  }, 60_000);

  it('does not redeliver a webhook answered 4xx (but 408, 429 and 5xx), as Telnyx documents', async () => {
    for (const [status, attempts] of [
      [422, 1],
      [400, 1],
      [408, 3],
      [429, 3],
      [503, 3],
    ] as const) {
      let other: CarrierSimulator | null = null;
      const r = await startReceiver(
        () => other!.publicKeyBase64,
        () => undefined,
        () => status,
      );
      other = await createCarrierSimulator({
        apiKey: API_KEY,
        webhookUrl: r.url,
        connectionId: CONNECTION_ID,
        seed: 8,
        timeScale: 0.001,
        maxWebhookAttempts: 3,
      });
      try {
        await other.placeInboundCall();
        await other.waitForIdle(30_000);
        const first = r.received[0]!.envelope.data.id;
        expect({ status, attempts: r.received.filter((x) => x.envelope.data.id === first).length }).toEqual({
          status,
          attempts,
        });
        if (attempts === 1) expect(other.stats().webhooks.refused).toBeGreaterThan(0);
      } finally {
        await other.close();
        await r.close();
      }
    }
  }, 120_000);
});
