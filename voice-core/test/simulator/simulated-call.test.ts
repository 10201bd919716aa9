import { Rng } from '../../src/util/rng';
import { CallEvents } from '../../src/simulator/call-events';
import { SimClock, WaitCancelled } from '../../src/simulator/clock';
import type { DeliveryQueue, EventData } from '../../src/simulator/delivery';
import { createProspect } from '../../src/simulator/prospect';
import { SimulatedCall } from '../../src/simulator/simulated-call';

const SEED = 7;

interface Sent {
  data: EventData;
  url: string;
}

/** A call on a fast clock whose webhooks are captured instead of delivered. */
function makeCall(direction: 'inbound' | 'outbound', opts: { callCostWebhooks?: boolean } = {}) {
  const clock = new SimClock(0.001);
  const sent: Sent[] = [];
  const events = new CallEvents({
    connectionId: 'conn-1',
    clock,
    delivery: { enqueue: (_queue, data, url) => sent.push({ data, url }) },
    payloads: { nullConfidenceRate: 0, callCostWebhooks: opts.callCostWebhooks ?? true, costErrorRate: 0 },
    shapes: new Rng('payload-shapes', SEED),
  });
  const key = `${direction}:+15550001111#1`;
  const queue: DeliveryQueue = { items: [], running: false, wake: null, rng: new Rng('faults', SEED, key) };
  const call = new SimulatedCall({
    direction,
    from: '+15550001111',
    to: '+18005550100',
    prospectKey: key,
    prospect: createProspect(SEED, key, direction),
    timing: new Rng('timing', SEED, key),
    webhookUrl: 'http://hooks.invalid/a',
    clock,
    events,
    queue,
  });
  const types = () => sent.map((s) => s.data.event_type);
  return { call, clock, sent, types };
}

async function until(predicate: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

describe('SimulatedCall', () => {
  it('starts parked (inbound) or ringing (outbound) with a v3 call_control_id and an open record', () => {
    const inbound = makeCall('inbound');
    const outbound = makeCall('outbound');
    expect(inbound.call.phase).toBe('parked');
    expect(outbound.call.phase).toBe('ringing');
    expect(inbound.call.id).toMatch(/^v3:[A-Za-z0-9_-]{40}$/);
    expect(inbound.call.record.outcome).toBe('active');
    expect(inbound.call.agentSide).toBe('callee');
    expect(outbound.call.agentSide).toBe('caller');
    inbound.clock.close();
    outbound.clock.close();
  });

  it('answer(): answered state, redirected webhooks, transcription on, and call.answered carries client_state', () => {
    const { call, clock, sent } = makeCall('inbound');
    call.setClientState('YWJj');
    call.answer({ webhookUrl: 'http://hooks.invalid/b', transcription: true });
    expect(call.phase).toBe('answered');
    expect(call.transcribing).toBe(true);
    expect(call.record.answered).toBe(true);
    expect(call.answeredMs).not.toBeNull();
    expect(sent.map((s) => [s.data.event_type, s.url])).toEqual([['call.answered', 'http://hooks.invalid/b']]);
    expect(sent[0]!.data.payload).toEqual(expect.objectContaining({ client_state: 'YWJj', connection_id: 'conn-1' }));
    expect(call.record.webhooks.map((w) => w.eventType)).toEqual(['call.answered']);
    clock.close();
  });

  it('plays speak commands one at a time, in order, and is quiet once both are done', async () => {
    const { call, clock, types } = makeCall('outbound');
    call.answer();
    call.queueSpeak('first line');
    call.queueSpeak('second line');
    expect(call.record.agentLines).toEqual(['first line']);
    expect(call.speaks.map((s) => s.started)).toEqual([true, false]);
    expect(call.agentQuiet()).toBe(false);
    await until(() => call.agentQuiet());
    expect(call.record.agentLines).toEqual(['first line', 'second line']);
    expect(types()).toEqual([
      'call.answered',
      'call.speak.started',
      'call.speak.ended',
      'call.speak.started',
      'call.speak.ended',
    ]);
    clock.close();
  });

  it('end(): once only, cuts off speech, cancels waits, then sends call.cost and settles', async () => {
    const { call, clock, sent, types } = makeCall('inbound');
    call.answer();
    call.queueSpeak('a rather long line that is still playing when the call ends');
    const waiting = call.timers.waitUntil(() => false, Infinity);
    call.end('normal_clearing', call.prospectSide, 'prospect');
    call.end('time_limit', 'unknown', 'carrier'); // ignored: already ended
    await expect(waiting).rejects.toBeInstanceOf(WaitCancelled);
    expect(call.phase).toBe('ended');
    expect(call.record).toEqual(
      expect.objectContaining({
        outcome: 'abandoned',
        hangupCause: 'normal_clearing',
        hangupSource: 'caller',
        endedBy: 'prospect',
      }),
    );
    expect(sent.find((s) => s.data.event_type === 'call.speak.ended')!.data.payload).toEqual(
      expect.objectContaining({ status: 'call_hangup' }),
    );
    expect(call.settled).toBe(false);
    await until(() => call.settled);
    expect(types().slice(-3)).toEqual(['call.speak.ended', 'call.hangup', 'call.cost']);
    expect(types().filter((t) => t === 'call.hangup')).toHaveLength(1);
    clock.close();
  });

  it('derives the outcome: unanswered, explicit, or the prospect decision', () => {
    const unanswered = makeCall('outbound');
    unanswered.call.end('timeout', 'caller', 'carrier');
    expect(unanswered.call.record.outcome).toBe('unanswered');
    expect(unanswered.sent.at(-1)!.data.payload).toEqual(expect.objectContaining({ sip_hangup_cause: '487' }));

    const busy = makeCall('outbound');
    busy.call.end('user_busy', 'callee', 'prospect', 'busy');
    expect(busy.call.record.outcome).toBe('busy');

    const decided = makeCall('inbound');
    decided.call.answer();
    const draw = decided.call.prospect.decisionDraw;
    expect(decided.call.decide(draw + 0.01)).toBe(true);
    decided.call.end('normal_clearing', 'caller', 'prospect');
    expect(decided.call.record).toEqual(expect.objectContaining({ outcome: 'converted', decided: true }));

    const declined = makeCall('inbound');
    declined.call.answer();
    expect(declined.call.decide(declined.call.prospect.decisionDraw)).toBe(false);
    declined.call.end('normal_clearing', 'caller', 'prospect');
    expect(declined.call.record.outcome).toBe('declined');
    for (const c of [unanswered, busy, decided, declined]) c.clock.close();
  });

  it('skips call.cost when cost webhooks are off, yet still settles', async () => {
    const { call, clock, types } = makeCall('outbound', { callCostWebhooks: false });
    call.end('timeout', 'caller', 'carrier', 'no_answer');
    await until(() => call.settled);
    expect(types()).toEqual(['call.hangup']);
    clock.close();
  });

  it('records utterances as transcribed only while transcription is on', () => {
    const { call, clock } = makeCall('inbound');
    call.answer();
    expect(call.recordUtterance('opening', 'hello')).toBe(false);
    call.startTranscription();
    expect(call.recordUtterance('objection', 'too pricey', 'price')).toBe(true);
    call.stopTranscription();
    expect(call.transcribing).toBe(false);
    expect(call.record.utterances.map(({ role, transcribed, kind }) => ({ role, transcribed, kind }))).toEqual([
      { role: 'opening', transcribed: false, kind: undefined },
      { role: 'objection', transcribed: true, kind: 'price' },
    ]);
    clock.close();
  });

  it('remembers the first result of a command_id', () => {
    const { call, clock } = makeCall('inbound');
    expect(call.resultOf('cmd-1')).toBeUndefined();
    const first = { status: 200, body: { data: { result: 'ok' } } };
    call.rememberResult('cmd-1', first);
    expect(call.resultOf('cmd-1')).toBe(first);
    clock.close();
  });

  it('sends nothing once the simulator (its clock) is closed', () => {
    const { call, clock, sent } = makeCall('inbound');
    clock.close();
    call.answer();
    expect(sent).toEqual([]);
  });
});
