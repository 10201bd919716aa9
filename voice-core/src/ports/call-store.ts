import type { BeastModeSnapshot, CallDirection, CallEvent, CallRecord, CallRollup, TimeRange } from '../domain';
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

  /** Stores the event once; returns false when an event with this id was already stored. */
  appendEvent(event: CallEvent): Promise<boolean>;
  /** Events of one call in `occurredAt` order (ties by arrival). */
  listEvents(callId: string): Promise<CallEvent[]>;
  /** Records that the event changed the call's state; the stored event log is the inbox. */
  markEventApplied(eventId: string): Promise<void>;
  /** Stored events never marked applied that arrived before `before`, oldest first (crash recovery). */
  listUnappliedEvents(before: string, limit: number): Promise<CallEvent[]>;

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
  /** Rollup rows whose bucket lies in the range, oldest first. */
  listRollups(range: TimeRange): Promise<CallRollup[]>;

  saveBeastModeSnapshot(snapshot: BeastModeSnapshot): Promise<void>;
  /** Oldest first. */
  listBeastModeSnapshots(range: TimeRange): Promise<BeastModeSnapshot[]>;
}
