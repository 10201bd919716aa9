import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { encodeClientState, freshCall, inboundCallId, type CallRecord, type VerifiedWebhook } from '@mwva/voice-core';
import { startEngine, webhook, type EngineHarness } from '../helpers/engine';

/**
 * Telnyx does not order webhooks and redelivers them. Property: whatever the order and however
 * often a call's events arrive, the call ends with the same record as when they arrive in order.
 */

/** Utterances the playbook understands, a few of each kind (greeting, objection, yes, no). */
const WORDS = [
  'hi, who is this',
  "it's too expensive",
  'now is not a good time',
  "we're happy with our current provider",
  "okay, let's do it",
  'sounds good, sign us up',
  "we'll pass for now",
  'thanks but no thanks',
];

interface Script {
  direction: 'inbound' | 'outbound';
  /** Outbound with answering-machine detection; `machine`: a voicemail answered. */
  amd: boolean;
  machine: boolean;
  answered: boolean;
  utterances: string[];
  cost: 'none' | 'value' | 'null';
  cause: 'normal_clearing' | 'no_answer' | 'user_busy' | 'call_rejected';
}

const scriptArb: fc.Arbitrary<Script> = fc
  .record({
    direction: fc.constantFrom('inbound' as const, 'outbound' as const),
    amd: fc.boolean(),
    machine: fc.boolean(),
    answered: fc.boolean(),
    utterances: fc.array(fc.constantFrom(...WORDS), { maxLength: 5 }),
    cost: fc.constantFrom('none' as const, 'value' as const, 'null' as const),
    cause: fc.constantFrom(
      'normal_clearing' as const,
      'no_answer' as const,
      'user_busy' as const,
      'call_rejected' as const,
    ),
  })
  .map((s) => {
    const answered = s.direction === 'inbound' || s.answered;
    const amd = s.direction === 'outbound' && s.amd;
    const machine = amd && answered && s.machine;
    return {
      ...s,
      answered,
      amd,
      machine,
      utterances: answered && !machine ? s.utterances : [],
      cause: answered ? 'normal_clearing' : s.cause,
    };
  });

/** A delivery: the in-order list, or one permutation of it with some events sent more than once. */
const deliveryArb = (n: number) =>
  fc.record({
    order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
    duplicates: fc.array(fc.nat({ max: n - 1 }), { maxLength: 4 }),
  });

const T0 = Date.parse('2026-03-02T15:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

/** One call's events in the order they happened, for a call whose Telnyx ids are `ids`. */
function eventsOf(script: Script, ids: Record<string, string>, ours: string | null): VerifiedWebhook[] {
  const mine = ours ? { client_state: encodeClientState({ callId: ours }) } : {};
  const parties = { from: '+15550001111', to: '+15550002222' };
  const events: VerifiedWebhook[] = [];
  let t = 0;
  const next = () => at((t += 1));
  const direction = script.direction === 'inbound' ? 'incoming' : 'outgoing';
  events.push(
    webhook('call.initiated', next(), { ...ids, ...mine, ...parties, direction, state: 'parked', start_time: at(0) }),
  );
  if (script.answered) events.push(webhook('call.answered', next(), { ...ids, ...mine, ...parties }));
  if (script.amd && script.answered) {
    // Telnyx's AMD example: no call_control_id, our client_state.
    const { call_control_id: _none, ...rest } = ids;
    const result = script.machine ? 'machine' : 'human';
    events.push(webhook('call.machine.detection.ended', next(), { ...rest, ...mine, ...parties, result }));
  }
  for (const words of script.utterances) {
    // Telnyx's transcription example: no client_state, no transcription_track.
    events.push(
      webhook('call.transcription', next(), {
        ...ids,
        transcription_data: { transcript: words, confidence: null, is_final: true },
      }),
    );
  }
  events.push(
    webhook('call.hangup', next(), {
      ...ids,
      ...mine,
      ...parties,
      hangup_cause: script.cause,
      hangup_source: 'caller',
      state: 'hangup',
    }),
  );
  if (script.cost !== 'none') {
    const value = script.cost === 'value' ? { total_cost: '0.0123', billed_duration_secs: 42, status: 'success' } : {};
    const nulls = script.cost === 'null' ? { total_cost: null, billed_duration_secs: null, status: 'error' } : {};
    events.push(webhook('call.cost', next(), { ...ids, ...mine, ...value, ...nulls }));
  }
  return events;
}

/** Runs one call through the engine with the events delivered as `delivery` says; returns its record. */
async function deliver(
  h: EngineHarness,
  script: Script,
  delivery: { order: number[]; duplicates: number[] } | null,
): Promise<CallRecord> {
  const ids = { call_control_id: `v3:${randomUUID()}`, call_leg_id: randomUUID(), call_session_id: randomUUID() };
  let callId: string;
  let ours: string | null = null;
  if (script.direction === 'outbound') {
    // As the dialer does: the call exists before its first event, and the dial returns its ids.
    callId = randomUUID();
    ours = callId;
    const record: CallRecord = {
      id: callId,
      direction: 'outbound',
      status: 'dialing',
      from: '+15550002222',
      to: '+15550001111',
      persona: 'cfo',
      campaign: 'spring',
      callControlId: null,
      callSessionId: null,
      startedAt: at(0),
      answeredAt: null,
      endedAt: null,
      outcome: null,
      hangupCause: null,
      hangupSource: null,
      costUsd: null,
      updatedAt: at(0),
    };
    await h.stores.calls.upsertCall(record);
    await h.engine.registerOutbound(freshCall(record, 'dialing', script.amd));
    await h.engine.recordDialed(callId, {
      callControlId: ids.call_control_id,
      callLegId: ids.call_leg_id,
      callSessionId: ids.call_session_id,
    });
  } else {
    callId = inboundCallId(ids.call_control_id);
  }
  const events = eventsOf(script, ids, ours);
  const sent = delivery ? [...delivery.order, ...delivery.duplicates].map((i) => events[i]!) : events;
  // Telnyx delivers concurrently: every request is in flight at once, in this order.
  await Promise.all(sent.map((e) => h.engine.ingest(e)));
  await h.engine.idle();
  // The recovery sweep's last word for a call whose cost never comes.
  await h.engine.finalize(callId, { force: true });
  const record = await h.stores.calls.getCall(callId);
  if (!record) throw new Error(`call ${callId} was never recorded`);
  expect(await h.stores.calls.isRolledUp(callId)).toBe(true);
  return record;
}

/** The parts of a call record that must not depend on delivery order. */
function essentials(r: CallRecord) {
  const { id: _id, updatedAt: _u, callControlId: _c, callSessionId: _s, ...rest } = r;
  return rest;
}

describe('out-of-order and repeated delivery', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngine({ finalizeSettleMs: 300 });
  }, 60_000);

  afterAll(() => h.close());

  it('a call delivered fully reversed, with call.answered redelivered last, keeps its answer time and outcome', async () => {
    const script: Script = {
      direction: 'outbound',
      amd: false,
      machine: false,
      answered: true,
      utterances: ["it's too expensive", "okay, let's do it"],
      cost: 'value',
      cause: 'normal_clearing',
    };
    const inOrder = await deliver(h, script, null);
    expect(inOrder).toMatchObject({ status: 'ended', outcome: 'converted', answeredAt: at(2), costUsd: 0.0123 });
    const n = eventsOf(script, {}, null).length;
    const reversed = await deliver(h, script, { order: [...Array(n).keys()].reverse(), duplicates: [1] });
    expect(essentials(reversed)).toEqual(essentials(inOrder));
  }, 60_000);

  it('every permutation and duplication of a call’s events ends in the in-order call record (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        scriptArb.chain((script) => fc.tuple(fc.constant(script), deliveryArb(eventsOf(script, {}, null).length))),
        async ([script, delivery]) => {
          const inOrder = await deliver(h, script, null);
          const shuffled = await deliver(h, script, delivery);
          expect(essentials(shuffled)).toEqual(essentials(inOrder));
        },
      ),
      { numRuns: 40 },
    );
  }, 600_000);
});
