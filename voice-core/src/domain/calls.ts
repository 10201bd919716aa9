/**
 * Call-level shapes shared by every store and by the HTTP layer.
 * Timestamps are ISO-8601 strings in UTC: they survive JSON, Redis and every driver unchanged.
 */

import type { BeastModeSkill, CallDirection, CallOutcome, CallStatus } from '@mwva/contract';

// The enums are the contract's: every side (server, plugin, provisioning) shows and filters by them.
export {
  BEAST_MODE_SKILLS,
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  CALL_STATUSES,
  type BeastModeSkill,
  type CallDirection,
  type CallOutcome,
  type CallStatus,
} from '@mwva/contract';

/** The system-of-record row of one call (Postgres role). */
export interface CallRecord {
  id: string;
  direction: CallDirection;
  status: CallStatus;
  from: string;
  to: string;
  persona: string | null;
  campaign: string | null;
  /** Telnyx identifiers, once known. */
  callControlId: string | null;
  callSessionId: string | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  outcome: CallOutcome | null;
  hangupCause: string | null;
  hangupSource: string | null;
  costUsd: number | null;
  updatedAt: string;
}

/** One carrier or domain event of a call, kept verbatim for audit and replay. */
export interface CallEvent {
  /** Unique event id (Telnyx `data.id` for carrier events). */
  id: string;
  callId: string;
  type: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

/** An inbox event not applied yet, with its place in the inbox (arrival order) and failed attempts. */
export interface InboxEvent extends CallEvent {
  seq: number;
  attempts: number;
}

/** An event that could not be applied after every attempt: kept aside for review and re-drive. */
export interface DeadLetter {
  event: CallEvent;
  attempts: number;
  lastError: string | null;
  deadAt: string;
  reason: string;
}

/** Per-minute aggregate that time-series panels read instead of scanning calls. */
export interface CallRollup {
  /** Start of the bucket, ISO-8601. */
  bucket: string;
  direction: CallDirection;
  outcome: CallOutcome;
  calls: number;
  answered: number;
  converted: number;
  handleSeconds: number;
  costUsd: number;
}

export interface TimeRange {
  from: string;
  to: string;
}

/** A periodic snapshot of the agent's Beast Mode scores (0–100 per skill). */
export interface BeastModeSnapshot {
  takenAt: string;
  scores: Record<BeastModeSkill, number>;
  callsLearned: number;
}
