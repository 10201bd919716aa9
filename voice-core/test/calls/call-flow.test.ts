import { Registry } from 'prom-client';
import {
  CallFlow,
  EventTooEarly,
  openStores,
  type CallEvent,
  type LiveCall,
  type Plan,
  type Stores,
} from '@mwva/voice-core';
import { seededAgent } from '../helpers/engine';

/**
 * The pure call state machine, event by event: what each event plans (next phase, record
 * changes, commands) from the state before it, with no engine, queue or store write around it.
 */
const CALL_ID = 'call-flow-test';
const NOW = '2026-12-02T10:00:00.000Z';
let seq = 0;

function event(type: string, payload: Record<string, unknown> = {}, occurredAt = NOW): CallEvent {
  seq += 1;
  return {
    id: `e${seq}`,
    callId: CALL_ID,
    type,
    occurredAt,
    payload: { call_control_id: 'v3:abc', call_session_id: 'sess-1', ...payload },
  };
}

const transcript = (words: string, extra: Record<string, unknown> = {}) =>
  event('call.transcription', { transcription_data: { transcript: words, is_final: true, confidence: 0.9, ...extra } });

describe('CallFlow: the call state machine, one event at a time', () => {
  let stores: Stores;
  let flow: CallFlow;

  beforeAll(async () => {
    stores = await openStores({ dataDir: null }, new Registry());
    flow = new CallFlow(await seededAgent(stores));
  }, 60_000);

  afterAll(() => stores.close());

  /** Applies events in order, as the engine would when each plan commits. */
  async function run(...events: CallEvent[]): Promise<{ state: LiveCall | null; plans: (Plan | null)[] }> {
    let state: LiveCall | null = null;
    const plans: (Plan | null)[] = [];
    for (const e of events) {
      const p = await flow.plan(state, e, NOW);
      plans.push(p);
      if (p) state = p.next;
    }
    return { state, plans };
  }

  it('an incoming call.initiated records a ringing inbound call and answers it', async () => {
    const { state, plans } = await run(
      event('call.initiated', { direction: 'incoming', from: '+15550001111', to: '+15550002222', state: 'parked' }),
    );
    expect(state!.phase).toBe('ringing');
    expect(state!.record).toMatchObject({ direction: 'inbound', status: 'ringing', from: '+15550001111' });
    expect(plans[0]!.commands).toEqual([{ kind: 'answer' }]);
    expect(plans[0]!.persistRecord).toBe(true);
  });

  it('call.answered starts the conversation: transcription on, and the opening line spoken', async () => {
    const { state, plans } = await run(
      event('call.initiated', { direction: 'incoming', from: '+15550001111', to: '+15550002222' }),
      event('call.answered', {}, '2026-12-02T10:00:02.000Z'),
    );
    expect(state!.phase).toBe('conversing');
    expect(state!.record.answeredAt).toBe('2026-12-02T10:00:02.000Z');
    const kinds = plans[1]!.commands.map((c) => c.kind);
    expect(kinds).toContain('transcription_start');
    expect(kinds).toContain('speak');
    expect(plans[1]!.turns.some((t) => t.speaker === 'agent')).toBe(true);
  });

  it('a prospect objection gets an answer, and is paired with the response for learning', async () => {
    const { state, plans } = await run(
      event('call.initiated', { direction: 'incoming' }),
      event('call.answered'),
      transcript("it's too expensive"),
    );
    const last = plans[2]!;
    expect(last.turns.map((t) => t.speaker)).toEqual(['prospect', 'agent']);
    expect(last.commands).toEqual([expect.objectContaining({ kind: 'speak', respondsToTurn: true })]);
    expect(state!.objectionsHeard).toBe(1);
    // The opening line is a decision too; the objection's answer is paired after it.
    expect(state!.pairs.map((p) => p.objectionId)).toEqual(['opening', 'price']);
  });

  it('ignores partial and empty transcripts, and words not on the inbound track', async () => {
    const { plans } = await run(
      event('call.initiated', { direction: 'incoming' }),
      event('call.answered'),
      event('call.transcription', { transcription_data: { transcript: 'it is too', is_final: false } }),
      transcript('   '),
      transcript("it's too expensive", { transcription_track: 'outbound' }),
    );
    expect(plans.slice(2)).toEqual([null, null, null]);
  });

  it('a transcript before the call was answered is too early (parked, not dropped)', async () => {
    const { state } = await run(event('call.initiated', { direction: 'incoming' }));
    await expect(flow.plan(state, transcript('hello?'), NOW)).rejects.toBeInstanceOf(EventTooEarly);
  });

  it('events of a call never recorded are too early, except those the inbox keeps for audit', async () => {
    await expect(flow.plan(null, event('call.hangup', { hangup_cause: 'normal_clearing' }), NOW)).rejects.toThrow(
      EventTooEarly,
    );
    await expect(flow.plan(null, event('call.answered'), NOW)).rejects.toThrow(/arrived early|not/);
    expect(await flow.plan(null, event('call.recording.saved'), NOW)).toBeNull();
  });

  it('an outgoing call.initiated needs the dial that created the call', async () => {
    await expect(flow.plan(null, event('call.initiated', { direction: 'outgoing' }), NOW)).rejects.toBeInstanceOf(
      EventTooEarly,
    );
  });

  it('hang-up then cost settles the call; the cost is a decimal string, null when Telnyx could not compute it', async () => {
    const base = [event('call.initiated', { direction: 'incoming' }), event('call.answered')];
    const priced = await run(
      ...base,
      event('call.hangup', { hangup_cause: 'normal_clearing', hangup_source: 'caller' }),
      event('call.cost', { total_cost: '0.0125', billed_duration_secs: 30, status: 'success' }),
    );
    expect(priced.state!.record).toMatchObject({ status: 'ended', hangupCause: 'normal_clearing', costUsd: 0.0125 });
    expect(priced.plans[2]!.settle).toBe(false); // the cost is not known yet
    expect(priced.plans[3]!.settle).toBe(true);

    const unpriced = await run(
      ...base,
      event('call.cost', { total_cost: null, billed_duration_secs: null, status: 'error' }),
      event('call.hangup', { hangup_cause: 'normal_clearing' }),
    );
    expect(unpriced.state!.record.costUsd).toBeNull();
    expect(unpriced.plans[3]!.settle).toBe(true); // cost first, then hang-up: settles on the hang-up
  });

  it('a second hang-up or cost changes nothing', async () => {
    const { plans } = await run(
      event('call.initiated', { direction: 'incoming' }),
      event('call.answered'),
      event('call.hangup', { hangup_cause: 'normal_clearing' }),
      event('call.hangup', { hangup_cause: 'normal_clearing' }),
      event('call.cost', { total_cost: '0.01' }),
      event('call.cost', { total_cost: '0.02' }),
    );
    expect(plans[3]).toBeNull();
    expect(plans[5]).toBeNull();
  });

  it('a late call.answered after the hang-up still records the (earliest) answer time', async () => {
    const { state, plans } = await run(
      event('call.initiated', { direction: 'incoming' }),
      event('call.hangup', { hangup_cause: 'normal_clearing' }, '2026-12-02T10:01:00.000Z'),
      event('call.answered', {}, '2026-12-02T10:00:03.000Z'),
    );
    expect(state!.phase).toBe('ended');
    expect(state!.record.answeredAt).toBe('2026-12-02T10:00:03.000Z');
    expect(plans[2]!.commands).toEqual([]); // a fact, not a reason to speak on an ended call
  });
});
