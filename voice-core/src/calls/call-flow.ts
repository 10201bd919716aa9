import type { CallEvent, CallRecord, TranscriptTurn } from '../domain';
import type { Agent, AgentLine, ConversationContext } from '../conversation/agent';
import { readCallPayload, type CallPayload } from '../telnyx/webhook-event';
import { APPLIED_MEMORY, freshCall, heardUtterance, outcomeOf, type LiveCall } from './live-call';

export type CommandPlan =
  | { kind: 'answer' }
  | { kind: 'speak'; text: string; respondsToTurn: boolean }
  | { kind: 'transcription_start' }
  | { kind: 'hangup' };

/** What applying one event does: the next state, and the effects to carry out. */
export interface Plan {
  next: LiveCall;
  /** Write the call row (system of record) from `next.record`. */
  persistRecord: boolean;
  turns: TranscriptTurn[];
  /** A prospect utterance the agent did not understand, kept for review. */
  unrecognised: {
    text: string;
    embedding: number[];
    seq: number;
    nearestIntentId: string | null;
    similarity: number;
  } | null;
  /** The agent turn answering the prospect's turn in this plan (its latency is measured). */
  answerSeq: number | null;
  /** Embeddings of prospect turns, for semantic transcript search. */
  turnEmbeddings: { seq: number; text: string; embedding: number[] }[];
  commands: CommandPlan[];
  /** The call has ended and its cost is known: finalize once late events had time to arrive. */
  settle: boolean;
}

/** The event came before the one it depends on (Telnyx may reorder): apply it later. */
export class EventTooEarly extends Error {
  constructor(event: CallEvent, reason: string) {
    super(`${event.type} ${event.id} for call ${event.callId} arrived early: ${reason}`);
    this.name = 'EventTooEarly';
  }
}

/** Premium AMD reports kinds of humans and machines; what matters here is whether a person picked up. */
const MACHINE_RESULTS = new Set(['machine', 'fax_detected']);

/**
 * The call state machine. `plan` is decided from the current state and the event only (plus
 * the agent's choice for what to say), so it can be recomputed when a compare-and-set loses.
 *
 * Telnyx does not order its webhooks, so an event that comes after the call moved on still
 * records its fact (a late `call.answered` still sets the answer time, a late transcript still
 * counts as a yes or no), and the outcome is derived from those facts, not from the order they
 * arrived in. Only conversation (what the agent says) depends on arrival, as it must.
 */
export class CallFlow {
  constructor(private readonly agent: Agent) {}

  async plan(stored: LiveCall | null, event: CallEvent, now: string): Promise<Plan | null> {
    const p = readCallPayload(event.payload);
    // Outbound calls learn their Telnyx ids from the dial or from whichever event arrives first.
    const current = stored && !stored.record.callControlId && p.call_control_id ? withRecord(stored, ids(p)) : stored;
    switch (event.type) {
      case 'call.initiated':
        return this.initiated(current, event, p, now);
      case 'call.answered':
        return this.answered(requireCall(current, event), event, now);
      case 'call.machine.detection.ended':
      case 'call.machine.premium.detection.ended':
        return this.machineDetected(requireCall(current, event), event, p, now);
      case 'call.speak.ended':
        return this.speakEnded(requireCall(current, event));
      case 'call.transcription':
        return this.transcription(requireCall(current, event), event, p, now);
      case 'call.hangup':
        return this.hangup(current, event, p, now);
      case 'call.cost':
        return this.cost(requireCall(current, event), p, now);
      default:
        return null; // stored for audit, nothing to do
    }
  }

  private initiated(current: LiveCall | null, event: CallEvent, p: CallPayload, now: string): Plan | null {
    if (p.direction === 'outgoing') {
      // Our dial created the state; this event only tells the ids (it may even come after call.answered).
      if (!current) throw new EventTooEarly(event, 'the dial that created this call is not recorded yet');
      if (current.phase !== 'dialing') return null;
      const next = withRecord(current, { ...ids(p), status: 'ringing', updatedAt: now });
      return plan({ ...next, phase: 'ringing' }, { persistRecord: true });
    }
    if (current) return null; // a second initiated for a known call: nothing new
    if (!p.call_control_id) throw new EventTooEarly(event, 'an incoming call without a call_control_id');
    const record: CallRecord = {
      id: event.callId,
      direction: 'inbound',
      status: 'ringing',
      from: p.from ?? 'unknown',
      to: p.to ?? 'unknown',
      persona: null,
      campaign: null,
      callControlId: p.call_control_id,
      callSessionId: p.call_session_id ?? null,
      startedAt: p.start_time ?? event.occurredAt,
      answeredAt: null,
      endedAt: null,
      outcome: null,
      hangupCause: null,
      hangupSource: null,
      costUsd: null,
      updatedAt: now,
    };
    return plan(freshCall(record, 'ringing', false), { persistRecord: true, commands: [{ kind: 'answer' }] });
  }

  private async answered(current: LiveCall, event: CallEvent, now: string): Promise<Plan | null> {
    if (current.phase !== 'ringing' && current.phase !== 'dialing') {
      // Arrived after the call moved on (or ended): keep the earliest answer time as the fact.
      const known = current.record.answeredAt;
      if (known !== null && known <= event.occurredAt) return null;
      return factRecorded(withRecord(current, { answeredAt: event.occurredAt, updatedAt: now }));
    }
    const answered = withRecord(current, { status: 'answered', answeredAt: event.occurredAt, updatedAt: now });
    if (current.amd) return plan({ ...answered, phase: 'detecting' }, { persistRecord: true });
    return this.startConversation(answered);
  }

  private async machineDetected(current: LiveCall, event: CallEvent, p: CallPayload, now: string) {
    const machine = MACHINE_RESULTS.has(p.result ?? '');
    if (current.phase === 'dialing' || current.phase === 'ringing') {
      // Before call.answered (reordered); once the call has ended, only the fact is left to record.
      throw new EventTooEarly(event, 'machine detection before call.answered');
    }
    if (current.phase !== 'detecting') {
      if (!machine || current.machine) return null;
      return factRecorded(withRecord({ ...current, machine: true }, { updatedAt: now }));
    }
    if (!machine) return this.startConversation(withRecord(current, { updatedAt: now }));
    const line = await this.agent.line('voicemail');
    const next: LiveCall = { ...withRecord(current, { updatedAt: now }), phase: 'voicemail', machine: true };
    return plan(next, {
      persistRecord: true,
      ...this.agentTurn(next, line, now),
      commands: [{ kind: 'speak', text: line.text, respondsToTurn: false }],
    });
  }

  private speakEnded(current: LiveCall): Plan | null {
    // After the closing line or the voicemail message, we hang up.
    if (current.phase !== 'closing' && current.phase !== 'voicemail') return null;
    return plan(current, { commands: [{ kind: 'hangup' }] });
  }

  private async transcription(current: LiveCall, event: CallEvent, p: CallPayload, now: string) {
    const data = p.transcription_data;
    const words = data?.transcript?.trim();
    if (!data || data.is_final === false || !words) return null;
    // The track is only reported by Telnyx's own engine; without it the words are the prospect's
    // (transcription_start asks for the inbound track only).
    if (data.transcription_track && data.transcription_track !== 'inbound') return null;
    if (current.phase === 'ringing' || current.phase === 'dialing' || current.phase === 'detecting') {
      throw new EventTooEarly(event, 'transcription before the conversation started');
    }
    const prospectTurn: TranscriptTurn = {
      callId: current.record.id,
      seq: current.turnSeq,
      speaker: 'prospect',
      text: words,
      startedAt: event.occurredAt,
      endedAt: event.occurredAt,
      confidence: data.confidence ?? null,
      intentId: null,
      latencyMs: null,
    };
    const base: LiveCall = { ...withRecord(current, { updatedAt: now }), turnSeq: current.turnSeq + 1 };
    if (current.phase !== 'conversing') {
      // Late words (after our closing line or the hang-up): kept in the transcript, and a yes or
      // no among them still counts towards the outcome by when it was said.
      const heard = await this.agent.stance(words);
      const next = refreshOutcome(heardUtterance(base, event.occurredAt, heard.stance));
      return plan(next, {
        persistRecord: next.record.outcome !== current.record.outcome,
        turns: [{ ...prospectTurn, intentId: heard.intent?.intentId ?? null }],
      });
    }
    const reply = await this.agent.reply(words, this.context(current));
    const isObjection = reply.intent?.kind === 'objection' || reply.intent?.kind === 'decline';
    const heard: LiveCall = {
      ...heardUtterance(base, event.occurredAt, reply.stance),
      phase: reply.closes ? 'closing' : 'conversing',
      prospectTurns: current.prospectTurns + 1,
      objectionsHeard: current.objectionsHeard + (isObjection ? 1 : 0),
      pairs: reply.line.decisionPoint
        ? [...current.pairs, { objectionId: reply.line.decisionPoint, responseId: reply.line.responseId }]
        : current.pairs,
    };
    const agent = this.agentTurn(heard, reply.line, now);
    return plan(agent.next, {
      persistRecord: reply.stance !== null,
      turns: [{ ...prospectTurn, intentId: reply.intent?.intentId ?? null }, ...agent.turns],
      unrecognised: reply.intent
        ? null
        : {
            text: words,
            embedding: reply.embedding,
            seq: prospectTurn.seq,
            nearestIntentId: reply.nearest?.intentId ?? null,
            similarity: reply.nearest?.similarity ?? 0,
          },
      answerSeq: agent.turns[0]!.seq,
      turnEmbeddings: [{ seq: prospectTurn.seq, text: words, embedding: reply.embedding }],
      commands: [{ kind: 'speak', text: reply.line.text, respondsToTurn: true }],
    });
  }

  private hangup(current: LiveCall | null, event: CallEvent, p: CallPayload, now: string): Plan | null {
    if (!current) throw new EventTooEarly(event, 'hang-up of a call not yet recorded');
    if (current.hangupSeen) return null;
    const cause = p.hangup_cause ?? null;
    const ended: LiveCall = { ...current, phase: 'ended', hangupSeen: true };
    const next = withRecord(ended, {
      status: 'ended',
      endedAt: p.end_time ?? event.occurredAt,
      hangupCause: cause,
      hangupSource: p.hangup_source ?? null,
      outcome: outcomeOf(ended, cause),
      updatedAt: now,
    });
    return plan(next, { persistRecord: true, settle: next.costSeen });
  }

  private cost(current: LiveCall, p: CallPayload, now: string): Plan | null {
    if (current.costSeen) return null;
    // A decimal string; null when Telnyx could not compute it (`status: "error"`).
    const total = p.total_cost === null || p.total_cost === undefined ? Number.NaN : Number(p.total_cost);
    const next = withRecord(
      { ...current, costSeen: true },
      { costUsd: Number.isFinite(total) ? total : null, updatedAt: now },
    );
    return plan(next, { persistRecord: true, settle: next.hangupSeen });
  }

  private context(call: LiveCall): ConversationContext {
    const { direction, from, to } = call.record;
    return {
      objectionsHeard: call.objectionsHeard,
      prospectTurns: call.prospectTurns,
      callKey: `${direction}:${direction === 'inbound' ? from : to}`,
    };
  }

  private async startConversation(call: LiveCall): Promise<Plan> {
    const line = await this.agent.line('opening', this.context(call));
    const next: LiveCall = {
      ...call,
      phase: 'conversing',
      pairs: line.decisionPoint
        ? [...call.pairs, { objectionId: line.decisionPoint, responseId: line.responseId }]
        : call.pairs,
    };
    const agent = this.agentTurn(next, line, call.record.updatedAt);
    return plan(agent.next, {
      persistRecord: true,
      turns: agent.turns,
      commands: [{ kind: 'speak', text: line.text, respondsToTurn: false }, { kind: 'transcription_start' }],
    });
  }

  /** The agent's own line as a transcript turn (its sequence number taken from the state). */
  private agentTurn(call: LiveCall, line: AgentLine, now: string): { next: LiveCall; turns: TranscriptTurn[] } {
    const turn: TranscriptTurn = {
      callId: call.record.id,
      seq: call.turnSeq,
      speaker: 'agent',
      text: line.text,
      startedAt: now,
      endedAt: now,
      confidence: null,
      intentId: line.decisionPoint,
      latencyMs: null,
    };
    return { next: { ...call, turnSeq: call.turnSeq + 1 }, turns: [turn] };
  }
}

function requireCall(current: LiveCall | null, event: CallEvent): LiveCall {
  if (!current) throw new EventTooEarly(event, 'no state for this call yet');
  return current;
}

function ids(p: CallPayload): Partial<CallRecord> {
  return { callControlId: p.call_control_id, callSessionId: p.call_session_id ?? null };
}

function withRecord(call: LiveCall, changes: Partial<CallRecord>): LiveCall {
  return { ...call, record: { ...call.record, ...changes } };
}

/**
 * After the hang-up the record's outcome follows every fact that still arrives, until the call
 * is counted: what the rollups and the learning graph were credited with stays the outcome.
 */
function refreshOutcome(call: LiveCall): LiveCall {
  if (call.phase !== 'ended' || call.counted) return call;
  return withRecord(call, { outcome: outcomeOf(call, call.record.hangupCause) });
}

/** A late fact (answer time, machine): the record is written, nothing is said. */
function factRecorded(call: LiveCall): Plan {
  return plan(refreshOutcome(call), { persistRecord: true });
}

type PlanParts = Partial<Omit<Plan, 'next'>>;

function plan(next: LiveCall, parts: PlanParts = {}): Plan {
  return {
    next,
    persistRecord: parts.persistRecord ?? false,
    turns: parts.turns ?? [],
    unrecognised: parts.unrecognised ?? null,
    answerSeq: parts.answerSeq ?? null,
    turnEmbeddings: parts.turnEmbeddings ?? [],
    commands: parts.commands ?? [],
    settle: parts.settle ?? false,
  };
}

/** Remembers that `eventId` was applied, keeping the memory bounded. */
export function markApplied(call: LiveCall, eventId: string): LiveCall {
  const applied = [...call.applied, eventId];
  return { ...call, applied: applied.length > APPLIED_MEMORY ? applied.slice(-APPLIED_MEMORY) : applied };
}
