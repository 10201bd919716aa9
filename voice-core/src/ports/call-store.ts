import type {
  BeastModeSnapshot,
  CallDirection,
  CallEvent,
  CallRecord,
  CallRollup,
  InboxEvent,
  TimeRange,
} from '../domain';
import type { CallAnalytics } from './call-analytics';
import type { StoreAdapter } from './store';

export interface ListCallsQuery extends TimeRange {
  limit: number;
  direction?: CallDirection;
}

/** Postgres role: calls (system of record), their events, per-minute rollups, Beast Mode snapshots. */
export interface CallStore extends StoreAdapter {
  /** Insert or replace the call row (idempotent). */
  upsertCall(call: CallRecord): Promise<void>;
  getCall(id: string): Promise<CallRecord | null>;
  /** Newest first, bounded by `limit`. */
  listCalls(query: ListCallsQuery): Promise<CallRecord[]>;

  /**
   * Stores each event once (one round trip for the batch); returns the ids that were new —
   * an id already stored, or repeated in the batch, counts once.
   */
  appendEvents(events: CallEvent[]): Promise<string[]>;
  /** Events of one call in `occurredAt` order (ties by arrival). */
  listEvents(callId: string): Promise<CallEvent[]>;
  /** Records that these events were applied to their calls' state; the stored event log is the inbox. */
  markEventsApplied(eventIds: string[]): Promise<void>;
  /**
   * Stored events never applied nor dead-lettered that arrived before `before` and after inbox
   * position `afterSeq`, in arrival order (crash recovery pages through all of them).
   */
  listUnappliedEvents(query: { before: string; afterSeq: number; limit: number }): Promise<InboxEvent[]>;
  /** Ids of this call's events that are neither applied nor dead-lettered. */
  listPendingEventIds(callId: string): Promise<string[]>;
  /** Counts a failed attempt to apply the event and keeps the error; returns the attempts so far. */
  recordApplyFailure(eventId: string, error: string): Promise<number>;
  /** Sets the event aside: the recovery sweep stops retrying it (idempotent). */
  moveToDeadLetters(eventId: string, reason: string): Promise<void>;
  /** Puts dead letters back in the inbox with their attempts reset; returns how many. */
  redriveDeadLetters(eventIds: string[] | 'all'): Promise<number>;
  /** Our id of the call Telnyx knows by these ids (events without our client_state). */
  findCallIdByTelnyxIds(ids: { callControlId: string | null; callSessionId: string | null }): Promise<string | null>;
  /** Moves a stored event to another call (it was routed before the call's Telnyx ids were known). */
  rerouteEvent(eventId: string, callId: string): Promise<void>;

  /**
   * Moves up to `limit` queued calls to `dialing` and returns them, oldest first. Concurrent
   * callers (several replicas) never receive the same call.
   */
  claimQueuedCalls(limit: number): Promise<CallRecord[]>;
  /** Ended calls that are not yet in the rollups and ended before `endedBefore`, oldest first. */
  listUnfinalizedCalls(endedBefore: string, limit: number): Promise<CallRecord[]>;

  /**
   * Adds a finished call to its minute's rollup exactly once per call id;
   * returns false when that call was already counted.
   */
  addToRollup(call: CallRecord): Promise<boolean>;
  /** Whether the call was already counted in the rollups (i.e. finalized). */
  isRolledUp(callId: string): Promise<boolean>;
  /** Of these call ids, the ones already counted in the rollups (one round trip). */
  listRolledUp(callIds: string[]): Promise<string[]>;
  /** Rollup rows whose bucket lies in the range, oldest first. */
  listRollups(range: TimeRange): Promise<CallRollup[]>;

  /** The dashboard read side over the same database (its read replica when there is one). */
  analytics(): CallAnalytics;

  /** Adds turn latencies to their minute's histogram (batched by the caller). */
  addTurnLatencies(samples: { at: string; latencyMs: number }[]): Promise<void>;

  saveBeastModeSnapshot(snapshot: BeastModeSnapshot): Promise<void>;
  /** Oldest first. */
  listBeastModeSnapshots(range: TimeRange): Promise<BeastModeSnapshot[]>;
}
