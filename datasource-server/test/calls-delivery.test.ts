import { FirstCandidateChooser } from '@mwva/voice-core';
import { waitFor } from '@mwva/testkit';
import { startTestServer, type TestServer } from './helpers/server';
import { ourCall } from './helpers/simulated-calls';

/** Calls from these numbers meet the same seeded prospects in every run. */
const INBOUND = Array.from({ length: 14 }, (_, i) => `+1555020${String(1000 + i)}`);
const OUTBOUND = Array.from({ length: 6 }, (_, i) => `+1555030${String(1000 + i)}`);
const SEED = 77;

interface EndState {
  outcome: string | null;
  hangupCause: string | null;
  /**
   * The prospect's turns in our transcript, less the repeats and "hello?" prompts the carrier
   * recorded: those depend on how fast the agent answered (a loaded machine, injected delays),
   * not on delivery. The next test checks the whole transcript against the carrier exactly.
   */
  prospectTurns: number;
}

/**
 * Runs the same calls (same prospects, the fixed playbook so the agent's words are the same)
 * and returns how each ended, keyed by the prospect's number.
 */
async function runCalls(faults: Record<string, number>): Promise<{ server: TestServer; ends: Map<string, EndState> }> {
  const finalized = new Set<string>();
  const server = await startTestServer(
    {},
    {
      simulator: { seed: SEED, timeScale: 0.2, faults },
      chooser: new FirstCandidateChooser(),
      onFinalized: (id) => void finalized.add(id),
    },
  );
  const carrier = server.voice.carrier!;
  for (const from of INBOUND) await carrier.placeInboundCall({ from, to: '+15550100000' });
  for (const to of OUTBOUND) {
    const res = await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to }) });
    expect(res.status).toBe(202);
  }
  const total = INBOUND.length + OUTBOUND.length;
  await waitFor(async () => (finalized.size >= total ? true : undefined), 120_000, `${total} calls to be finalized`);
  const ends = new Map<string, EndState>();
  for (const sim of carrier.calls()) {
    const call = (await ourCall(server, sim))!;
    const transcript = await server.stores.transcripts.getTranscript(call.id);
    const timingTurns = sim.utterances.filter((u) => u.transcribed && (u.role === 'repeat' || u.role === 'prompt'));
    ends.set(sim.direction === 'inbound' ? sim.from : sim.to, {
      outcome: call.outcome,
      hangupCause: call.hangupCause,
      prospectTurns: transcript.filter((t) => t.speaker === 'prospect').length - timingTurns.length,
    });
  }
  return { server, ends };
}

describe('unreliable delivery: duplicated, reordered and delayed webhooks, failing commands', () => {
  let clean: Map<string, EndState>;
  let faulty: { server: TestServer; ends: Map<string, EndState> };

  beforeAll(async () => {
    const reference = await runCalls({});
    clean = reference.ends;
    await reference.server.stop();
    faulty = await runCalls({ duplicateRate: 0.1, reorderRate: 0.1, maxExtraDelayMs: 15, commandErrorRate: 0.05 });
  }, 300_000);

  afterAll(() => faulty?.server.stop());

  it('really injected the faults', () => {
    const stats = faulty.server.voice.carrier!.stats();
    expect(stats.webhooks.duplicated).toBeGreaterThan(0);
    expect(stats.webhooks.reordered).toBeGreaterThan(0);
    expect(stats.commands.faultsInjected).toBeGreaterThan(0);
  });

  it('ends every call in the same state as without faults', () => {
    expect([...faulty.ends.keys()].sort()).toEqual([...clean.keys()].sort());
    for (const [number, end] of clean) expect({ number, ...faulty.ends.get(number) }).toEqual({ number, ...end });
  });

  it('stores and applies each event once: the event log and transcript match the carrier exactly', async () => {
    const { server } = faulty;
    for (const sim of server.voice.carrier!.calls()) {
      const call = (await ourCall(server, sim))!;
      const events = await server.stores.calls.listEvents(call.id);
      expect(events.map((e) => e.id).sort()).toEqual([...new Set(sim.webhooks.map((w) => w.id))].sort());
      const transcript = await server.stores.transcripts.getTranscript(call.id);
      const heard = sim.utterances.filter((u) => u.transcribed && u.role !== 'voicemail').map((u) => u.text);
      expect(
        transcript
          .filter((t) => t.speaker === 'prospect')
          .map((t) => t.text)
          .sort(),
      ).toEqual([...heard].sort());
      expect(await server.stores.calls.isRolledUp(call.id)).toBe(true);
    }
    const unapplied = await server.stores.calls.listUnappliedEvents({
      before: new Date(Date.now() + 60_000).toISOString(),
      afterSeq: 0,
      limit: 1000,
    });
    expect(unapplied).toEqual([]);
  });
});

describe('the dialer respects the dial rate and the capacity', () => {
  it('never has more than CALL_CAPACITY calls at once, and paces dials to DIAL_RATE_PER_SECOND', async () => {
    const finalized = new Set<string>();
    const server = await startTestServer(
      { CALL_CAPACITY: '3', DIAL_RATE_PER_SECOND: '4' },
      { simulator: { seed: 5, timeScale: 0.02 }, onFinalized: (id) => void finalized.add(id) },
    );
    try {
      let maxActive = 0;
      const sampler = setInterval(() => {
        maxActive = Math.max(maxActive, server.voice.carrier!.stats().calls.active);
      }, 10);
      for (let i = 0; i < 10; i += 1) {
        await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: `+1555040${1000 + i}` }) });
      }
      await waitFor(async () => (finalized.size >= 10 ? true : undefined), 120_000, 'all dialled calls to end');
      clearInterval(sampler);
      expect(maxActive).toBeGreaterThan(0);
      expect(maxActive).toBeLessThanOrEqual(3);
      const stats = server.voice.carrier!.stats();
      expect(stats.calls.outbound).toBe(10);
      // GCRA at 4/s with a burst of 4: the n-th dial is never earlier than (n − 3) × 250 ms after the first.
      const dials = server.voice
        .carrier!.calls()
        .map((c) => Date.parse(c.startedAt))
        .sort((a, b) => a - b);
      dials.forEach((t, n) => expect(t - dials[0]!).toBeGreaterThanOrEqual(Math.max(0, n - 3) * 250 - 30));
    } finally {
      await server.stop();
    }
  }, 180_000);

  it("backs off on the carrier's 429 and dials every call in the end, none failed", async () => {
    const finalized = new Map<string, string>();
    const server = await startTestServer(
      { DIAL_RATE_PER_SECOND: '50' },
      {
        simulator: { seed: 6, timeScale: 0.02, dialRatePerSecond: 3 },
        onFinalized: (id, outcome) => void finalized.set(id, outcome),
      },
    );
    try {
      for (let i = 0; i < 12; i += 1) {
        await server.api('/api/calls', { method: 'POST', body: JSON.stringify({ to: `+1555050${1000 + i}` }) });
      }
      await waitFor(async () => (finalized.size >= 12 ? true : undefined), 120_000, 'all calls to end');
      expect(server.voice.carrier!.stats().dials.rateLimited).toBeGreaterThan(0);
      expect(server.voice.carrier!.stats().calls.outbound).toBe(12);
      expect([...finalized.values()]).not.toContain('failed');
    } finally {
      await server.stop();
    }
  }, 180_000);
});
