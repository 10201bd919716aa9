import { inboundCallId, simulator, type CallRecord } from '@mwva/voice-core';
import type { TestServer } from './server';

/** The outcome we must record for what the simulated prospect did. */
export const expectedOutcome = simulator.expectedOutcome;

/** Our record of a carrier-side call (inbound ids are derived, outbound ones recorded). */
export async function ourCall(server: TestServer, sim: simulator.SimulatedCallRecord): Promise<CallRecord | null> {
  if (sim.direction === 'inbound') return server.stores.calls.getCall(inboundCallId(sim.callControlId));
  const recent = await server.stores.calls.listCalls({
    from: new Date(Date.now() - 3_600_000).toISOString(),
    to: new Date(Date.now() + 60_000).toISOString(),
    limit: 10_000,
  });
  return recent.find((c) => c.callControlId === sim.callControlId) ?? null;
}

/** Everything we recorded about a call agrees with what happened at the carrier. */
export async function expectSameAsCarrier(server: TestServer, sim: simulator.SimulatedCallRecord): Promise<void> {
  const call = await ourCall(server, sim);
  expect(call).not.toBeNull();
  expect({
    callControlId: sim.callControlId,
    outcome: call!.outcome,
    status: call!.status,
    hangupCause: call!.hangupCause,
  }).toEqual({
    callControlId: sim.callControlId,
    outcome: expectedOutcome(sim),
    status: 'ended',
    hangupCause: sim.hangupCause,
  });
  // Each webhook stored once, in the call's event log.
  const events = await server.stores.calls.listEvents(call!.id);
  expect(events.map((e) => e.id).sort()).toEqual([...new Set(sim.webhooks.map((w) => w.id))].sort());
  // The transcript holds each final prospect utterance once, and exactly the lines the carrier spoke.
  const transcript = await server.stores.transcripts.getTranscript(call!.id);
  const prospect = transcript.filter((t) => t.speaker === 'prospect').map((t) => t.text);
  const heard = sim.utterances.filter((u) => u.transcribed && u.role !== 'voicemail').map((u) => u.text);
  expect([...prospect].sort()).toEqual([...heard].sort());
  expectSpokenAsCarrierHeard(
    transcript.filter((t) => t.speaker === 'agent').map((t) => t.text),
    sim,
  );
}

/**
 * Our transcript holds every line the agent said; the carrier heard all of them, except a
 * last line sent as the prospect was hanging up, which the carrier refused (call ended).
 */
export function expectSpokenAsCarrierHeard(spoken: string[], sim: simulator.SimulatedCallRecord): void {
  const unheard = [...spoken];
  for (const line of sim.agentLines) {
    const i = unheard.indexOf(line);
    expect(i).toBeGreaterThanOrEqual(0);
    unheard.splice(i, 1);
  }
  const refusedSpeaks = sim.commands.filter((c) => c.name === 'speak' && c.status >= 400 && c.status < 500).length;
  expect(unheard.length).toBeLessThanOrEqual(Math.max(refusedSpeaks, sim.endedAt ? 1 : 0));
}
