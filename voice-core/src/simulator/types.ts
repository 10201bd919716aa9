import type { KeyObject } from 'node:crypto';
import type { ObjectionKind } from './corpus';
import type { AmdVerdict } from './prospect';

export interface SimulatorFaults {
  /** Fraction of webhooks delivered twice (same `data.id`); the copy may run concurrently. */
  duplicateRate?: number;
  /** Fraction of webhooks held back so that the call's next event overtakes them. */
  reorderRate?: number;
  /** Random extra delay before each delivery attempt, in real ms (not scaled). */
  maxExtraDelayMs?: number;
  /** Fraction of call commands answered 500/503 without being applied. */
  commandErrorRate?: number;
}

/**
 * Payload shapes Telnyx documents beyond the common case (OpenAPI spec and SDK types), so that
 * the code under test meets them. Defaults follow a Call Control application with call cost
 * webhooks enabled and the default (Google) transcription engine.
 */
export interface PayloadOptions {
  /** Share of transcriptions whose `confidence` is null (the `cohere/ar-stt` engine sends null). Default 0.05. */
  nullConfidenceRate?: number;
  /** Whether call.cost is sent at all (`call_cost_in_webhooks` on the application; Telnyx's default is off). Default true. */
  callCostWebhooks?: boolean;
  /** Share of call.cost events whose calculation failed: `status: "error"`, null total and duration. Default 0.02. */
  costErrorRate?: number;
}

export interface CarrierSimulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0 (ephemeral). */
  port?: number;
  /** Requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey: string;
  /** Ed25519 private key that signs webhooks; generated when absent. */
  signingKey?: KeyObject;
  /** Default webhook destination (dial's `webhook_url` overrides it per call). */
  webhookUrl: string;
  /** The only valid `connection_id` (others get 422). */
  connectionId: string;
  /** Drives every random choice: same seed → same prospects and choices. */
  seed: number;
  /** 1 = real time (default); 0.01 = 100× faster. Scales every simulated duration. */
  timeScale?: number;
  /** Token-bucket refill rate for POST /v2/calls, per real second. Default 30. */
  dialRatePerSecond?: number;
  /** Token-bucket size for POST /v2/calls. Default = dialRatePerSecond. */
  dialBurst?: number;
  faults?: SimulatorFaults;
  payloads?: PayloadOptions;
  /** Per delivery attempt, real ms. Default 2000 (Telnyx's acknowledgement deadline). */
  webhookTimeoutMs?: number;
  /** Attempts per webhook (first try included). Default 3. */
  maxWebhookAttempts?: number;
}

export type SimulatedOutcome =
  'active' | 'converted' | 'declined' | 'abandoned' | 'machine' | 'no_answer' | 'busy' | 'rejected' | 'unanswered';

export type HangupCause =
  | 'call_rejected'
  | 'normal_clearing'
  | 'originator_cancel'
  | 'timeout'
  | 'time_limit'
  | 'user_busy'
  | 'not_found'
  | 'no_answer'
  | 'unspecified';

export type HangupSource = 'caller' | 'callee' | 'unknown';

export interface SimulatedUtterance {
  role: 'opening' | 'objection' | 'repeat' | 'verdict' | 'prompt' | 'voicemail';
  kind?: ObjectionKind;
  text: string;
  /** Whether a call.transcription event carried it (transcription was on). */
  transcribed: boolean;
  at: string;
}

export interface SimulatedAnswer {
  kind: ObjectionKind;
  text: string | null;
  appeal: number;
}

/** Ground truth of one simulated call. */
export interface SimulatedCallRecord {
  callControlId: string;
  callLegId: string;
  callSessionId: string;
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  /** Identity of the simulated prospect (same key → same prospect). */
  prospectKey: string;
  answered: boolean;
  machine: boolean;
  amdResult: AmdVerdict | null;
  /** Objection kinds the prospect planned to raise (its hidden script). */
  plannedObjections: ObjectionKind[];
  /** Objection kinds actually raised. */
  objections: ObjectionKind[];
  utterances: SimulatedUtterance[];
  /** Every `speak` payload the agent sent, in order. */
  agentLines: string[];
  /** The agent's answer to each raised objection. */
  answers: SimulatedAnswer[];
  /** The prospect's decision: true/false once it decided; false when it never got there. */
  converted: boolean;
  decided: boolean;
  conversionProbability: number | null;
  outcome: SimulatedOutcome;
  hangupCause: HangupCause | null;
  hangupSource: HangupSource | null;
  /** Who ended the call. */
  endedBy: 'agent' | 'prospect' | 'carrier' | null;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  commands: Array<{ name: string; status: number; commandId: string | null; at: string }>;
  /** Webhooks in the order the carrier emitted them (delivery order may differ). */
  webhooks: Array<{ id: string; eventType: string; occurredAt: string }>;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface SimulatorStats {
  calls: {
    total: number;
    active: number;
    /** total − active; cheap to poll, unlike calls(), which copies every record */
    ended: number;
    inbound: number;
    outbound: number;
    answered: number;
    byOutcome: Record<SimulatedOutcome, number>;
    byHangupCause: Record<string, number>;
  };
  webhooks: {
    /** Distinct events emitted. */
    events: number;
    /** HTTP POSTs made (attempts, including duplicates and retries). */
    attempts: number;
    delivered: number;
    /** Extra copies sent by the duplicate fault. */
    duplicated: number;
    /** Events actually overtaken by a later event of their call. */
    reordered: number;
    /** Attempts that got a non-2xx, a timeout or a network error. */
    failedAttempts: number;
    /** Events given up after maxWebhookAttempts. */
    exhausted: number;
    /** Events dropped after a 4xx other than 408/429, which Telnyx does not redeliver. */
    refused: number;
    /** Real ms from POST sent to 2xx received. */
    latencyMs: LatencySummary;
  };
  commands: {
    total: number;
    /** command → HTTP status → count */
    byName: Record<string, Record<string, number>>;
    /** 5xx answered by the commandErrorRate fault (nothing applied). */
    faultsInjected: number;
    /** Repeated command_id answered from the idempotency record. */
    idempotentReplays: number;
  };
  dials: { accepted: number; rateLimited: number };
  /** Every /v2 response by HTTP status. */
  responsesByStatus: Record<string, number>;
}

export interface CarrierSimulator {
  /** http://HOST:PORT; the SDK's baseURL is `${url}/v2`. */
  url: string;
  /** Raw 32-byte Ed25519 public key, base64: the value of TELNYX_PUBLIC_KEY. */
  publicKeyBase64: string;
  /** Starts an inbound call: call.initiated (incoming, parked) is sent to the default webhook URL. */
  placeInboundCall(opts?: { from?: string; to?: string }): Promise<{ callControlId: string }>;
  /** Resolves when every call has ended (call.cost emitted) and every webhook is delivered or exhausted. */
  waitForIdle(timeoutMs: number): Promise<void>;
  stats(): SimulatorStats;
  /** Changes where webhooks of calls started from now on go (dials may still name their own). */
  setWebhookUrl(url: string): void;
  calls(): SimulatedCallRecord[];
  close(): Promise<void>;
}
