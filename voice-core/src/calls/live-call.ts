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
  verdict: Verdict | null;
  hangupSeen: boolean;
  costSeen: boolean;
  /** Ids of the events already applied (most recent last), so re-delivery never applies twice. */
  applied: string[];
}

export const APPLIED_MEMORY = 200;

export function toJson(call: LiveCall): JsonObject {
  return call as unknown as JsonObject;
}

export function fromJson(json: JsonObject): LiveCall {
  return json as unknown as LiveCall;
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
  if (call.verdict) return call.verdict;
  if (call.machine) return 'voicemail';
  if (!call.record.answeredAt) return hangupCause && !NO_ANSWER_CAUSES.has(hangupCause) ? 'failed' : 'no_answer';
  return 'not_converted';
}
