import { createHash } from 'node:crypto';
import type { CallOutcome, CallRecord, PairUsed } from '../domain';
import type { JsonObject } from '../ports';
import type { Verdict } from '../conversation/agent';

/**
 * Where a call stands. `dialing` → `ringing` → (`detecting` answering machine) → `conversing`
 * → `closing` (final line, then hang up) or `voicemail` → `ended`.
 */
export type CallPhase = 'dialing' | 'ringing' | 'detecting' | 'conversing' | 'closing' | 'voicemail' | 'ended';

/** The live state of one call, shared by all replicas through the call-state store. */
export interface LiveCall {
  record: CallRecord;
  phase: CallPhase;
  /** Outbound calls dialled with answering-machine detection wait for its result before talking. */
  amd: boolean;
  machine: boolean;
  /** Next transcript sequence number. */
  turnSeq: number;
  /** Final prospect utterances heard so far. */
  prospectTurns: number;
  objectionsHeard: number;
  /** (decision point → response) pairs said in this call, credited when it ends. */
  pairs: PairUsed[];
  /** Every yes or no the prospect said, with when (`occurred_at`), in whatever order they arrived. */
  stances: Stance[];
  /** When the prospect first spoke: a yes or no to our opening line is not a verdict. */
  firstUtteranceAt: string | null;
  /** A CRM disposition (POST /api/calls/:id/outcome) overrides what the conversation established. */
  disposition: Verdict | null;
  hangupSeen: boolean;
  costSeen: boolean;
  /** Finalized: counted in the rollups and credited; its outcome no longer changes. */
  counted: boolean;
  /** Ids of the events already applied (most recent last), so re-delivery never applies twice. */
  applied: string[];
}

export interface Stance {
  at: string;
  verdict: Verdict;
}

export const APPLIED_MEMORY = 200;
/** A call has a handful of yes/no turns; the bound only guards the state's size. */
const STANCE_MEMORY = 50;

export function toJson(call: LiveCall): JsonObject {
  return call as unknown as JsonObject;
}

/** Reads stored state, including state written before a field existed (a rolling upgrade). */
export function fromJson(json: JsonObject): LiveCall {
  const stored = json as unknown as LiveCall & { verdict?: Verdict | null };
  const { verdict, ...call } = stored;
  return {
    ...call,
    stances: call.stances ?? (verdict ? [{ at: call.record.updatedAt, verdict }] : []),
    firstUtteranceAt: call.firstUtteranceAt ?? null,
    disposition: call.disposition ?? null,
    counted: call.counted ?? false,
  };
}

/** A new call's state before any event: the facts it will collect start empty. */
export function freshCall(record: CallRecord, phase: CallPhase, amd: boolean): LiveCall {
  return {
    record,
    phase,
    amd,
    machine: false,
    turnSeq: 0,
    prospectTurns: 0,
    objectionsHeard: 0,
    pairs: [],
    stances: [],
    firstUtteranceAt: null,
    disposition: null,
    hangupSeen: false,
    costSeen: false,
    counted: false,
    applied: [],
  };
}

/** Records what the prospect said at `at`: the first utterance, and a yes or no if it was one. */
export function heardUtterance(call: LiveCall, at: string, stance: Verdict | null): LiveCall {
  const first = call.firstUtteranceAt === null || at < call.firstUtteranceAt ? at : call.firstUtteranceAt;
  const stances = stance ? [...call.stances, { at, verdict: stance }].sort(byTime).slice(-STANCE_MEMORY) : call.stances;
  return { ...call, firstUtteranceAt: first, stances };
}

/**
 * The prospect's verdict from everything heard, whatever the order it arrived in: the latest yes
 * or no by the time it was said, except one said as the very first utterance (an answer to our
 * opening, like "yes, speaking"). A CRM disposition overrides it.
 */
export function verdictOf(call: LiveCall): Verdict | null {
  if (call.disposition) return call.disposition;
  const eligible = call.stances.filter((s) => call.firstUtteranceAt !== null && s.at > call.firstUtteranceAt);
  return eligible.sort(byTime).at(-1)?.verdict ?? null;
}

/** Time order, with a fixed tie-break so equal times give the same answer in any arrival order. */
function byTime(a: Stance, b: Stance): number {
  return compare(a.at, b.at) || compare(a.verdict, b.verdict);
}

/** Code-unit order: ISO-8601 times in one format sort as text (localeCompare may skip punctuation). */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Our id of an inbound call, derived from Telnyx's call_control_id so that any replica gets the
 * same id for the same call without a lookup.
 */
export function inboundCallId(callControlId: string): string {
  return uuidFrom(`inbound:${callControlId}`);
}

/** A stable command_id per (event, n-th command), so re-applying an event re-sends the same ids. */
export function commandIdFor(eventId: string, index: number): string {
  return uuidFrom(`command:${eventId}:${index}`);
}

function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const NO_ANSWER_CAUSES = new Set(['timeout', 'user_busy', 'no_answer', 'originator_cancel', 'call_rejected']);

/** The outcome a call ends with, from what the conversation established and how it ended. */
export function outcomeOf(call: LiveCall, hangupCause: string | null): CallOutcome {
  const verdict = verdictOf(call);
  if (verdict) return verdict;
  if (call.machine) return 'voicemail';
  if (!call.record.answeredAt) return hangupCause && !NO_ANSWER_CAUSES.has(hangupCause) ? 'failed' : 'no_answer';
  return 'not_converted';
}
