import type { RawWebhook, TimeRange, TranscriptTurn, UnrecognisedUtterance } from '../domain';
import type { StoreAdapter } from './store';

/** Mongo role: transcripts and raw webhook payloads. */
export interface TranscriptStore extends StoreAdapter {
  /** Stores the turn; re-writing the same `(callId, seq)` replaces it. */
  appendTurn(turn: TranscriptTurn): Promise<void>;
  /**
   * Stores the turn only if `(callId, seq)` holds none yet; true when it was stored. The engine
   * writes turns this way before its compare-and-set, so a replica that loses the race for a
   * call never overwrites the winner's turn at the same seq (the winner replaces its own after).
   */
  insertTurn(turn: TranscriptTurn): Promise<boolean>;
  /** Turns of one call in `seq` order; empty when the call has none. */
  getTranscript(callId: string): Promise<TranscriptTurn[]>;

  /** Keeps utterances for review; re-saving the same (callId, seq) replaces it. */
  saveUnrecognised(utterances: UnrecognisedUtterance[]): Promise<void>;
  /** Newest first, within the range. */
  listUnrecognised(range: TimeRange, limit: number): Promise<UnrecognisedUtterance[]>;

  /** Stores each webhook body once per event id (a batch per call); returns how many were new. */
  saveRawWebhooks(webhooks: RawWebhook[]): Promise<number>;
  getRawWebhook(eventId: string): Promise<RawWebhook | null>;
  /** Deletes expired raw webhooks (servers without TTL indexes need this); returns how many. */
  purgeExpiredWebhooks(now: string): Promise<number>;
}
