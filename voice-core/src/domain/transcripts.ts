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
  /** Prospect finished speaking → our response command sent, in milliseconds. */
  latencyMs: number | null;
}

/** A webhook body kept for debugging and replay; expires after a retention period. */
export interface RawWebhook {
  eventId: string;
  receivedAt: string;
  expiresAt: string;
  payload: Record<string, unknown>;
}
