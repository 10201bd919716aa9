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

  /**
   * Adds a finished call to its minute's rollup exactly once per call id;
   * returns false when that call was already counted.
   */
  addToRollup(call: CallRecord): Promise<boolean>;
  /** Rollup rows whose bucket lies in the range, oldest first. */
  listRollups(range: TimeRange): Promise<CallRollup[]>;

  saveBeastModeSnapshot(snapshot: BeastModeSnapshot): Promise<void>;
  /** Oldest first. */
  listBeastModeSnapshots(range: TimeRange): Promise<BeastModeSnapshot[]>;
}
