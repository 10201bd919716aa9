export const SPEAKERS = ['agent', 'prospect'] as const;
export type Speaker = (typeof SPEAKERS)[number];

/** One spoken turn of a call (Mongo role). `(callId, seq)` identifies it. */
export interface TranscriptTurn {
  callId: string;
  seq: number;
  speaker: Speaker;
  text: string;
  startedAt: string;
  endedAt: string;
  /** Speech-to-text confidence, 0–1; null for the agent's own lines. */
  confidence: number | null;
  /** Recognised intent/objection id, when the turn was understood. */
  intentId: string | null;
  /**
   * On an agent turn that answers the prospect: their final words received → our answer decided
   * and recorded, in ms (the speak command goes out right after). Null otherwise.
   */
  latencyMs: number | null;
}

/** A prospect utterance the agent did not understand, kept for review. */
export interface UnrecognisedUtterance {
  callId: string;
  seq: number;
  text: string;
  at: string;
  /** The closest intent and how close it was (below the recognition threshold). */
  nearestIntentId: string | null;
  similarity: number;
}

/** A webhook body kept for debugging and replay; expires after a retention period. */
export interface RawWebhook {
  eventId: string;
  receivedAt: string;
  expiresAt: string;
  payload: Record<string, unknown>;
}
