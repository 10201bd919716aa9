import { z } from 'zod';

/**
 * Telnyx Call Control webhooks, read as Telnyx publishes them (OpenAPI spec `team-telnyx/openapi`
 * spec3.yml and the SDK's `resources/webhooks.ts`): no field of any call event is required, some
 * are documented as nullable (`transcription_data.confidence`, `call.cost`'s `total_cost` and
 * `billed_duration_secs`, `client_state`), and the same name can hold different types in
 * different events (`result` is an object in `call.ai_gather.ended`).
 *
 * Telnyx does not redeliver a webhook answered with a 4xx other than 408/429, so rejecting one
 * loses it for good. Hence two layers:
 *  - the envelope needs only what storing and de-duplicating an event needs (`data.id`,
 *    `data.event_type`); everything else is kept verbatim in the inbox;
 *  - the payload is read leniently when the event is applied: a missing, null or mistyped field
 *    reads as absent (null) and never fails the event.
 */

const eventEnvelope = z.object({
  data: z.object({
    /** Always "event" (docs); not checked, since nothing depends on it. */
    record_type: z.unknown().optional(),
    id: z.string().min(1).max(200),
    event_type: z.string().min(1).max(100),
    occurred_at: z.unknown().optional(),
    payload: z.unknown().optional(),
  }),
  meta: z.unknown().optional(),
});

/** What is stored of a verified webhook: its identity and the payload exactly as received. */
export interface TelnyxWebhook {
  id: string;
  eventType: string;
  /** `data.occurred_at` as ISO-8601, or null when absent or unparsable (then receipt time is used). */
  occurredAt: string | null;
  payload: Record<string, unknown>;
}

export type EnvelopeResult = { ok: true; webhook: TelnyxWebhook } | { ok: false; field: string; message: string };

/** Reads the envelope of a parsed webhook body; only a missing id or event type makes it unusable. */
export function readEnvelope(body: unknown): EnvelopeResult {
  const parsed = eventEnvelope.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, field: issue?.path.join('.') || 'body', message: issue?.message ?? 'not a webhook event' };
  }
  const { data } = parsed.data;
  return {
    ok: true,
    webhook: {
      id: data.id,
      eventType: data.event_type,
      occurredAt: isoOrNull(data.occurred_at),
      payload: isPlainObject(data.payload) ? data.payload : {},
    },
  };
}

// Lenient readers: the wrong type reads as null.
const text = z.string().nullish().catch(null);
const num = z.number().nullish().catch(null);
const bool = z.boolean().nullish().catch(null);
/** A time as ISO-8601; unparsable or out of range reads as null. */
const time = text.transform((v) => isoOrNull(v));

const callPayload = z
  .object({
    call_control_id: text,
    call_leg_id: text,
    call_session_id: text,
    connection_id: text,
    client_state: text,
    from: text,
    to: text,
    /** Only `call.initiated` carries it. */
    direction: z.enum(['incoming', 'outgoing']).nullish().catch(null),
    state: text,
    start_time: time,
    /** Not in the spec for `call.hangup`, but harmless to read when a carrier sends it. */
    end_time: time,
    hangup_cause: text,
    hangup_source: text,
    /** AMD result (a string); `call.ai_gather.ended` has an object here, which reads as null. */
    result: text,
    transcription_data: z
      .object({
        transcript: text,
        /** `cohere/ar-stt` sends null (SDK 7.24). */
        confidence: num,
        /** false for interim results. */
        is_final: bool,
        /** Only with the Telnyx ("B") engine; absent with the default Google engine. */
        transcription_track: text,
      })
      .nullish()
      .catch(null),
    /** A decimal string (spec), nullable when the cost calculation failed (`status: "error"`). */
    total_cost: z.union([z.string(), z.number()]).nullish().catch(null),
    billed_duration_secs: num,
  })
  .catch({} as never);

export type CallPayload = z.infer<typeof callPayload>;

/** The fields the call state machine reads, from a stored payload; never throws. */
export function readCallPayload(payload: Record<string, unknown>): CallPayload {
  return callPayload.parse(payload);
}

/** client_state travels base64-encoded through Telnyx and comes back on most events of the call. */
export interface ClientState {
  callId: string;
}

export function encodeClientState(state: ClientState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64');
}

export function decodeClientState(raw: string | null | undefined): ClientState | null {
  if (!raw) return null;
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as ClientState).callId === 'string') {
      return { callId: (parsed as ClientState).callId };
    }
  } catch {
    // Not ours (or not JSON): treat as absent.
  }
  return null;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Times outside 1970–9999 are not a call's (and year 0000 is not a Postgres timestamp). */
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59);

function isoOrNull(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= 0 && ms <= LATEST_MS ? new Date(ms).toISOString() : null;
}
