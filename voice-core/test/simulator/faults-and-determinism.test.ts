import {
  appeal,
  conversionProbability,
  createCarrierSimulator,
  createProspect,
  OBJECTION_KINDS,
  OBJECTION_PHRASINGS,
  type CarrierSimulator,
  type CarrierSimulatorOptions,
} from '../../src/simulator';
import { API_KEY, CONNECTION_ID, minimalAgent, sdk, startReceiver, type Receiver } from './harness';

async function withSim(
  opts: Partial<CarrierSimulatorOptions>,
  respond: Parameters<typeof startReceiver>[2] | undefined,
  body: (sim: CarrierSimulator, receiver: Receiver) => Promise<void>,
  agentRetries = 2,
): Promise<void> {
  let sim: CarrierSimulator | null = null;
  let client: ReturnType<typeof sdk> | null = null;
  const receiver = await startReceiver(
    () => sim!.publicKeyBase64,
    (r) => minimalAgent(client!)(r),
    respond,
  );
  sim = await createCarrierSimulator({
    apiKey: API_KEY,
    webhookUrl: receiver.url,
    connectionId: CONNECTION_ID,
    seed: 1234,
    timeScale: 0.005,
    ...opts,
  });
  client = sdk(sim.url, agentRetries);
  try {
    await body(sim, receiver);
  } finally {
    await sim.close();
    await receiver.close();
  }
}

describe('carrier simulator: faults', () => {
  it('duplicates carry the same data.id; reordering really happens; every call still ends once', async () => {
    // Time scale 0.05: a held-back event is swapped only with one that follows within the hold
    // (2 s of call time); at 0.005 that is 10 ms, which a busy machine's agent replies overrun.
    await withSim(
      { timeScale: 0.05, faults: { duplicateRate: 0.3, reorderRate: 0.3, maxExtraDelayMs: 3 } },
      undefined,
      async (sim, receiver) => {
        const ids = await Promise.all(
          Array.from({ length: 6 }, (_, i) => sim.placeInboundCall({ from: `+1555400000${i}` })),
        );
        await sim.waitForIdle(60_000);
        const stats = sim.stats();
        expect(stats.webhooks.duplicated).toBeGreaterThan(0);
        expect(stats.webhooks.reordered).toBeGreaterThan(0);
        const counts = new Map<string, number>();
        for (const r of receiver.received) counts.set(r.envelope.data.id, (counts.get(r.envelope.data.id) ?? 0) + 1);
        expect([...counts.values()].some((n) => n >= 2)).toBe(true);

        let overtaken = 0;
        for (const { callControlId } of ids) {
          const record = sim.calls().find((c) => c.callControlId === callControlId)!;
          const emitted = record.webhooks.map((w) => w.id);
          const arrived = receiver.eventsOf(callControlId).map((r) => r.envelope.data.id);
          expect(new Set(arrived)).toEqual(new Set(emitted));
          if (arrived.join() !== emitted.join()) overtaken++;
          expect(record.webhooks.filter((w) => w.eventType === 'call.hangup')).toHaveLength(1);
        }
        expect(overtaken).toBeGreaterThan(0);
      },
    );
  }, 90_000);

  it('commandErrorRate answers 500/503 without applying the command', async () => {
    await withSim(
      { faults: { commandErrorRate: 1 } },
      () => 200,
      async (sim) => {
        const client = sdk(sim.url, 0);
        const { callControlId } = await sim.placeInboundCall();
        const errors: number[] = [];
        for (let i = 0; i < 6; i++) {
          try {
            await client.calls.actions.answer(callControlId, {});
          } catch (e) {
            errors.push((e as { status: number }).status);
          }
        }
        expect(errors).toHaveLength(6);
        expect(errors.every((s) => s === 500 || s === 503)).toBe(true);
        const record = sim.calls().find((c) => c.callControlId === callControlId)!;
        expect(record.answered).toBe(false);
        expect(record.webhooks.map((w) => w.eventType)).toEqual(['call.initiated']);
        expect(sim.stats().commands.faultsInjected).toBeGreaterThanOrEqual(6); // + the agent's own answer
      },
      0,
    );
  }, 30_000);

  it('retries a webhook answered 500: same data.id again with meta.attempt 2', async () => {
    const failedOnce = new Set<string>();
    await withSim(
      {},
      (r) => {
        if (r.envelope.data.event_type === 'call.initiated' && !failedOnce.has(r.envelope.data.id)) {
          failedOnce.add(r.envelope.data.id);
          return 500;
        }
        return 200;
      },
      async (sim, receiver) => {
        const { callControlId } = await sim.placeInboundCall();
        await sim.waitForIdle(30_000);
        const copies = receiver.received.filter(
          (r) =>
            r.envelope.data.event_type === 'call.initiated' &&
            (r.envelope.data.payload as { call_control_id: string }).call_control_id === callControlId,
        );
        expect(copies.map((c) => c.envelope.meta.attempt)).toEqual([1, 2]);
        expect(copies[0]!.envelope.data.id).toBe(copies[1]!.envelope.data.id);
        expect(sim.stats().webhooks.failedAttempts).toBe(1);
        expect(sim.stats().webhooks.exhausted).toBe(0);
      },
    );
  }, 30_000);
});

describe('carrier simulator: hidden preferences and determinism', () => {
  it('appeal is deterministic, in [0,1], normalises whitespace/case, and spreads widely', () => {
    const values = OBJECTION_KINDS.flatMap((k) =>
      OBJECTION_PHRASINGS.price.map((text) => {
        const a = appeal(9, k, text);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
        expect(appeal(9, k, text)).toBe(a);
        expect(appeal(9, k, `  ${text.toUpperCase()}  `)).toBe(a);
        return a;
      }),
    );
    expect(Math.min(...values)).toBeLessThan(0.15);
    expect(Math.max(...values)).toBeGreaterThan(0.85);
    expect(appeal(9, 'price', 'We can match any price')).not.toBe(appeal(10, 'price', 'We can match any price'));
    expect(appeal(9, 'price', '')).toBe(0);
  });

  it('conversion probability spans 0.1 (all bad) to 0.8 (all ideal)', () => {
    expect(conversionProbability(1, [{ kind: 'price', text: null }])).toBeCloseTo(0.1);
    const answers = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((t) => ({ kind: 'timing' as const, text: t }));
    const ps = answers.map((a) => conversionProbability(3, [a]));
    expect(Math.max(...ps) - Math.min(...ps)).toBeGreaterThan(0.3);
    for (const p of ps) expect(p).toBeGreaterThanOrEqual(0.1);
    for (const p of ps) expect(p).toBeLessThanOrEqual(0.8);
  });

  it('same seed → same prospects; different seed → different prospects', () => {
    const a = createProspect(5, 'outbound:+15550000001#1', 'outbound');
    expect(createProspect(5, 'outbound:+15550000001#1', 'outbound')).toEqual(a);
    const many = (seed: number) =>
      Array.from({ length: 20 }, (_, i) =>
        createProspect(seed, `outbound:+1555000${i}#1`, 'outbound').objectionLines.join('|'),
      );
    expect(many(5)).toEqual(many(5));
    expect(many(5)).not.toEqual(many(6));
  });

  it('two simulators with the same seed produce the same objections and decisions for the same agent', async () => {
    const run = async () => {
      let out: Array<[string[], string[], boolean]> = [];
      // Time scale 0.05, not 0.005: the prospect's patience is scaled too, and at 0.005 a busy
      // machine's slower agent replies make it hang up early — timing, not the seed, would differ.
      await withSim({ seed: 99, timeScale: 0.05 }, undefined, async (sim) => {
        for (let i = 0; i < 4; i++) await sim.placeInboundCall({ from: `+1555600000${i}` });
        await sim.waitForIdle(60_000);
        out = sim
          .calls()
          .sort((x, y) => x.from.localeCompare(y.from))
          .map((c) => [
            c.objections,
            c.utterances.filter((u) => u.role === 'objection').map((u) => u.text),
            c.converted,
          ]);
      });
      return out;
    };
    const first = await run();
    expect(first.every(([objections]) => objections.length >= 1)).toBe(true);
    expect(await run()).toEqual(first);
  }, 90_000);

  it('time scale: 20 concurrent outbound calls complete quickly at timeScale 0.005', async () => {
    await withSim({ timeScale: 0.005, seed: 2024 }, undefined, async (sim) => {
      const client = sdk(sim.url);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          client.calls.dial({
            connection_id: CONNECTION_ID,
            to: `+1555700${String(i).padStart(4, '0')}`,
            from: '+18005550100',
            answering_machine_detection: 'detect',
          }),
        ),
      );
      await sim.waitForIdle(60_000);
      const stats = sim.stats();
      expect(stats.calls.total).toBe(20);
      expect(stats.calls.active).toBe(0);
      expect(stats.webhooks.exhausted).toBe(0);
      expect(stats.webhooks.latencyMs.count).toBeGreaterThan(0);
      expect(stats.webhooks.latencyMs.p99).toBeGreaterThanOrEqual(stats.webhooks.latencyMs.p50);
    });
  }, 90_000);
});
