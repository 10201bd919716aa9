import { z } from 'zod';

/**
 * The part of Telnyx's Call Control webhook envelope the voice core reads. Everything else in
 * the body is kept verbatim (raw webhook store, call events) but not interpreted.
 * Shapes follow the SDK's webhook types (telnyx/resources/webhooks).
 */
const callPayload = z
  .object({
    call_control_id: z.string().min(1),
    call_leg_id: z.string().optional(),
    call_session_id: z.string().optional(),
    connection_id: z.string().optional(),
    client_state: z.string().nullish(),
    from: z.string().optional(),
    to: z.string().optional(),
    direction: z.enum(['incoming', 'outgoing']).optional(),
    state: z.string().optional(),
    start_time: z.string().optional(),
    end_time: z.string().optional(),
    hangup_cause: z.string().optional(),
    hangup_source: z.string().optional(),
    sip_hangup_cause: z.string().optional(),
    call_quality_stats: z.record(z.string(), z.unknown()).nullish(),
    result: z.string().optional(),
    transcription_data: z
      .object({
        transcript: z.string(),
        confidence: z.number().optional(),
        is_final: z.boolean().optional(),
        transcription_track: z.string().optional(),
      })
      .optional(),
    total_cost: z.union([z.string(), z.number()]).optional(),
    currency: z.string().optional(),
    billed_duration_secs: z.number().optional(),
  })
  .passthrough();

export const telnyxWebhookSchema = z.object({
  data: z.object({
    record_type: z.literal('event'),
    id: z.string().min(1).max(200),
    event_type: z.string().min(1).max(100),
    occurred_at: z.string().datetime({ offset: true }),
    payload: callPayload,
  }),
  meta: z.object({ attempt: z.number().optional(), delivered_to: z.string().optional() }).passthrough().optional(),
});

export type TelnyxWebhook = z.infer<typeof telnyxWebhookSchema>;
export type TelnyxCallPayload = z.infer<typeof callPayload>;

/** The Call Control events the state machine reacts to; others are stored and acknowledged. */
export const HANDLED_EVENT_TYPES = [
  'call.initiated',
  'call.answered',
  'call.machine.detection.ended',
  'call.speak.started',
  'call.speak.ended',
  'call.transcription',
  'call.hangup',
  'call.cost',
] as const;
export type HandledEventType = (typeof HANDLED_EVENT_TYPES)[number];

/** client_state travels base64-encoded through Telnyx and comes back on every event of the call. */
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
