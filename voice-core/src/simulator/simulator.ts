import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { generateKeyPairSync, randomBytes, randomUUID, createPublicKey, type KeyObject } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type {
  CallAnswered,
  CallCostWebhookEvent,
  CallHangup,
  CallInitiated,
  CallMachineDetectionEnded,
  CallMachineGreetingEnded,
  CallPlaybackEnded,
  CallPlaybackStarted,
  CallSpeakEnded,
  CallSpeakStarted,
  Transcription,
} from 'telnyx/resources/webhooks';
import type { CallDialResponse } from 'telnyx/resources/calls/calls';
import { ApiFailure, apiErrors } from './errors';
import { summarize, WebhookDispatcher, type DeliveryQueue } from './delivery';
import { conversionProbability, appeal, createProspect, type ProspectProfile } from './prospect';
import { Rng } from '../util/rng';
import type {
  CarrierSimulator,
  CarrierSimulatorOptions,
  HangupCause,
  HangupSource,
  SimulatedCallRecord,
  SimulatedOutcome,
  SimulatedUtterance,
  SimulatorStats,
} from './types';

// ---------------------------------------------------------------------------------------------
// Simulated durations (ms of simulated time; multiplied by timeScale to get real ms).
// ---------------------------------------------------------------------------------------------
export const SIM_TIMING = {
  /** An inbound caller waits this long for `answer`, then hangs up (originator_cancel). */
  inboundAnswerTimeoutMs: 30_000,
  /** Telnyx's default dial `timeout_secs`. */
  defaultDialTimeoutSecs: 30,
  /** Answering-machine analysis after answer. */
  amdAnalysisMs: [2_000, 4_000] as const,
  /** Voicemail greeting length before the beep. */
  voicemailGreetingMs: [4_000, 8_000] as const,
  /** A voicemail records at most this long, then hangs up. */
  voicemailMaxMs: 30_000,
  /** Silence the prospect tolerates before repeating (then hanging up). */
  silenceMs: 8_000,
  /** After the verdict, the prospect hangs up itself if the agent does not. */
  verdictHangupMs: 5_000,
  /** call.cost follows call.hangup after this long. */
  costDelayMs: 800,
  /** Prospect's reaction time before speaking. */
  reactionMs: [400, 1_200] as const,
  /** Agent TTS: fixed + per character (≈ 15 chars/s). */
  speakBaseMs: 300,
  speakPerCharMs: 65,
  /** Prospect speech: fixed + per word (≈ 150 words/min). */
  utteranceBaseMs: 300,
  utterancePerWordMs: 400,
  /** Audio playback length. */
  playbackMs: 3_000,
  /** Telnyx's default time_limit_secs (4 h). */
  timeLimitSecs: 14_400,
} as const;

const E164 = /^\+[1-9]\d{1,14}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const AMD_MODES = ['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled'] as const;
const BODY_LIMIT = 1024 * 1024;
/** Per-minute rates used for call.cost (USD). */
const RATES = { callControl: 0.002, inbound: 0.0035, outbound: 0.005 } as const;

type Phase = 'ringing' | 'parked' | 'answered' | 'ended';

interface EventPayloads {
  'call.initiated': CallInitiated.Payload;
  'call.answered': CallAnswered.Payload;
  'call.hangup': CallHangup.Payload;
  'call.speak.started': CallSpeakStarted.Payload;
  'call.speak.ended': CallSpeakEnded.Payload;
  'call.transcription': Transcription.Payload;
  'call.machine.detection.ended': CallMachineDetectionEnded.Payload;
  'call.machine.greeting.ended': CallMachineGreetingEnded.Payload;
  'call.playback.started': CallPlaybackStarted.Payload;
  'call.playback.ended': CallPlaybackEnded.Payload;
  'call.cost': CallCostWebhookEvent.Data.Payload;
}

class CallEndedSignal extends Error {
  constructor() {
    super('call ended');
  }
}

interface Waiter {
  predicate: () => boolean;
  resolve: (satisfied: boolean) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

interface AgentSpeak {
  text: string;
  started: boolean;
  done: boolean;
  clientState?: string;
}

interface SimCall {
  record: SimulatedCallRecord;
  prospect: ProspectProfile;
  timing: Rng;
  phase: Phase;
  webhookUrl: string;
  clientState: string | undefined;
  amd: (typeof AMD_MODES)[number];
  dialTimeoutSecs: number;
  transcribeOnAnswer: boolean;
  transcribing: boolean;
  speaks: AgentSpeak[];
  speaking: AgentSpeak | null;
  speakTimer: NodeJS.Timeout | null;
  commandIds: Map<string, { status: number; body: unknown }>;
  waiters: Set<Waiter>;
  timers: Set<NodeJS.Timeout>;
  queue: DeliveryQueue;
  settled: boolean;
  startedMs: number;
  answeredMs: number | null;
}

function iso(ms = Date.now()): string {
  return new Date(ms).toISOString();
}

function callControlId(): string {
  return `v3:${randomBytes(30).toString('base64url')}`;
}

function rawPublicKeyBase64(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new Error('signingKey must be an Ed25519 private key');
  }
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > BODY_LIMIT) {
        reject(new ApiFailure(413, [{ code: '10015', title: 'Bad Request', detail: 'Request body too large.' }]));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJsonObject(raw: string): Record<string, unknown> {
  if (raw.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw apiErrors.badJson('The request body is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw apiErrors.badJson('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw apiErrors.invalid(field, `The '${field}' parameter must be a string.`);
  return v;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = optionalString(body, field);
  if (v === undefined || v.trim() === '') throw apiErrors.missing(field);
  return v;
}

function validateCommon(body: Record<string, unknown>): { clientState?: string; commandId?: string } {
  const clientState = optionalString(body, 'client_state');
  if (clientState !== undefined && (clientState.length % 4 !== 0 || !BASE64.test(clientState))) {
    throw apiErrors.invalid('client_state', "The 'client_state' parameter must be a valid Base-64 encoded string.");
  }
  const commandId = optionalString(body, 'command_id');
  return {
    ...(clientState === undefined ? {} : { clientState }),
    ...(commandId === undefined ? {} : { commandId }),
  };
}

function validateUrl(body: Record<string, unknown>, field: string): string | undefined {
  const v = optionalString(body, field);
  if (v === undefined) return undefined;
  try {
    const u = new URL(v);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw apiErrors.invalidUrl(field);
  }
  if (v.length > 2000) throw apiErrors.invalidUrl(field);
  return v;
}

const SUPPORTED_COMMANDS = new Set([
  'answer',
  'speak',
  'transcription_start',
  'transcription_stop',
  'hangup',
  'reject',
  'playback_start',
  'playback_stop',
]);

export async function createCarrierSimulator(options: CarrierSimulatorOptions): Promise<CarrierSimulator> {
  const host = options.host ?? '127.0.0.1';
  const timeScale = options.timeScale ?? 1;
  if (!(timeScale >= 0)) throw new Error('timeScale must be >= 0');
  const seed = options.seed;
  const signingKey = options.signingKey ?? generateKeyPairSync('ed25519').privateKey;
  const publicKeyBase64 = rawPublicKeyBase64(signingKey);
  const faults = options.faults ?? {};
  const dialRate = options.dialRatePerSecond ?? 30;
  const dialBurst = options.dialBurst ?? dialRate;
  const scale = (simMs: number): number => Math.max(0, simMs * timeScale);

  const dispatcher = new WebhookDispatcher({
    signingKey,
    timeoutMs: options.webhookTimeoutMs ?? 2_000,
    maxAttempts: Math.max(1, options.maxWebhookAttempts ?? 3),
    duplicateRate: faults.duplicateRate ?? 0,
    reorderRate: faults.reorderRate ?? 0,
    maxExtraDelayMs: faults.maxExtraDelayMs ?? 0,
    scale,
  });
  const commandFaults = new Rng('command-faults', seed);
  /** Where webhooks go by default; the server under test may learn its own URL only after the carrier starts. */
  let defaultWebhookUrl = options.webhookUrl;
  const payloadShapes = new Rng('payload-shapes', seed);
  const payloads = {
    nullConfidenceRate: options.payloads?.nullConfidenceRate ?? 0.05,
    callCostWebhooks: options.payloads?.callCostWebhooks ?? true,
    costErrorRate: options.payloads?.costErrorRate ?? 0.02,
  };

  const calls = new Map<string, SimCall>();
  const order: SimCall[] = [];
  const occurrences = new Map<string, number>();
  const globalTimers = new Set<NodeJS.Timeout>();
  let closed = false;
  let inboundCounter = 0;

  const stats = {
    commandsTotal: 0,
    byName: {} as Record<string, Record<string, number>>,
    faultsInjected: 0,
    idempotentReplays: 0,
    dialsAccepted: 0,
    rateLimited: 0,
    responsesByStatus: {} as Record<string, number>,
  };

  // Token bucket for POST /v2/calls (real time).
  let tokens = dialBurst;
  let lastRefill = Date.now();
  function takeDialToken(): number {
    const now = Date.now();
    tokens = Math.min(dialBurst, tokens + ((now - lastRefill) / 1000) * dialRate);
    lastRefill = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - tokens) / dialRate));
  }

  // --- timers and waiting -------------------------------------------------------------------
  function later(fn: () => void, simMs: number, owner?: SimCall): void {
    if (closed) return;
    const set = owner ? owner.timers : globalTimers;
    const t = setTimeout(() => {
      set.delete(t);
      fn();
    }, scale(simMs));
    set.add(t);
  }

  /** Resolves true when `predicate` holds, false after `simTimeoutMs`; rejects when the call ends. */
  function waitUntil(call: SimCall, predicate: () => boolean, simTimeoutMs: number): Promise<boolean> {
    if (call.phase === 'ended' || closed) return Promise.reject(new CallEndedSignal());
    if (predicate()) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = { predicate, resolve, reject, timer: null };
      if (Number.isFinite(simTimeoutMs)) {
        waiter.timer = setTimeout(() => {
          call.waiters.delete(waiter);
          resolve(false);
        }, scale(simTimeoutMs));
      }
      call.waiters.add(waiter);
    });
  }

  const sleep = (call: SimCall, simMs: number): Promise<unknown> => waitUntil(call, () => false, simMs);

  function notify(call: SimCall): void {
    for (const w of [...call.waiters]) {
      if (w.predicate()) {
        call.waiters.delete(w);
        if (w.timer) clearTimeout(w.timer);
        w.resolve(true);
      }
    }
  }

  // --- webhooks -------------------------------------------------------------------------------
  function common(call: SimCall): {
    call_control_id: string;
    call_leg_id: string;
    call_session_id: string;
    connection_id: string;
    client_state?: string;
  } {
    return {
      call_control_id: call.record.callControlId,
      call_leg_id: call.record.callLegId,
      call_session_id: call.record.callSessionId,
      connection_id: options.connectionId,
      ...(call.clientState === undefined ? {} : { client_state: call.clientState }),
    };
  }

  /**
   * As Telnyx's own example: no client_state and, with the default (Google) engine, no
   * transcription_track; `confidence` is null for some (the `cohere/ar-stt` engine).
   */
  function emitTranscription(call: SimCall, transcript: string, isFinal: boolean, confidence: number): void {
    const { client_state: _omitted, ...ids } = common(call);
    const nullConfidence = payloadShapes.chance(payloads.nullConfidenceRate);
    emit(call, 'call.transcription', {
      ...ids,
      transcription_data: {
        transcript,
        confidence: nullConfidence ? (null as unknown as number) : confidence,
        is_final: isFinal,
      },
    });
  }

  /** Telnyx's answering-machine examples carry no call_control_id. */
  function amdIds(call: SimCall): Omit<ReturnType<typeof common>, 'call_control_id'> {
    const { call_control_id: _omitted, ...ids } = common(call);
    return ids;
  }

  function emit<K extends keyof EventPayloads>(call: SimCall, eventType: K, payload: EventPayloads[K]): void {
    if (closed) return;
    const data = {
      record_type: 'event' as const,
      event_type: eventType,
      id: randomUUID(),
      occurred_at: iso(),
      payload,
    };
    call.record.webhooks.push({ id: data.id, eventType, occurredAt: data.occurred_at });
    dispatcher.enqueue(call.queue, data, call.webhookUrl);
  }

  // --- call lifecycle -------------------------------------------------------------------------
  function newCall(direction: 'inbound' | 'outbound', from: string, to: string, webhookUrl: string): SimCall {
    const remote = direction === 'inbound' ? from : to;
    const base = `${direction}:${remote}`;
    const n = (occurrences.get(base) ?? 0) + 1;
    occurrences.set(base, n);
    const key = `${base}#${n}`;
    const prospect = createProspect(seed, key, direction);
    const now = Date.now();
    const record: SimulatedCallRecord = {
      callControlId: callControlId(),
      callLegId: randomUUID(),
      callSessionId: randomUUID(),
      direction,
      from,
      to,
      prospectKey: key,
      answered: false,
      machine: prospect.machine,
      amdResult: null,
      plannedObjections: [...prospect.objections],
      objections: [],
      utterances: [],
      agentLines: [],
      answers: [],
      converted: false,
      decided: false,
      conversionProbability: null,
      outcome: 'active',
      hangupCause: null,
      hangupSource: null,
      endedBy: null,
      startedAt: iso(now),
      answeredAt: null,
      endedAt: null,
      commands: [],
      webhooks: [],
    };
    const call: SimCall = {
      record,
      prospect,
      timing: new Rng('timing', seed, key),
      phase: direction === 'inbound' ? 'parked' : 'ringing',
      webhookUrl,
      clientState: undefined,
      amd: 'disabled',
      dialTimeoutSecs: SIM_TIMING.defaultDialTimeoutSecs,
      transcribeOnAnswer: false,
      transcribing: false,
      speaks: [],
      speaking: null,
      speakTimer: null,
      commandIds: new Map(),
      waiters: new Set(),
      timers: new Set(),
      queue: dispatcher.newQueue(new Rng('faults', seed, key)),
      settled: false,
      startedMs: now,
      answeredMs: null,
    };
    calls.set(record.callControlId, call);
    order.push(call);
    return call;
  }

  const agentSide = (call: SimCall): HangupSource => (call.record.direction === 'outbound' ? 'caller' : 'callee');
  const prospectSide = (call: SimCall): HangupSource => (call.record.direction === 'outbound' ? 'callee' : 'caller');

  function sipCause(cause: HangupCause, call: SimCall): string {
    switch (cause) {
      case 'user_busy':
        return '486';
      case 'timeout':
      case 'originator_cancel':
        return '487';
      case 'call_rejected':
        return '603';
      default:
        return call.record.direction === 'outbound' ? '200' : 'unspecified';
    }
  }

  function qualityStats(call: SimCall): CallHangup.Payload.CallQualityStats | null {
    if (call.answeredMs === null) return null;
    const secs = Math.max(1, (Date.now() - call.answeredMs) / Math.max(timeScale, 1e-9) / 1000);
    const packets = Math.round(secs * 50);
    const loss = Math.round(packets * call.timing.range(0, 0.01));
    return {
      inbound: {
        mos: call.timing.range(3.9, 4.5).toFixed(2),
        jitter_max_variance: call.timing.range(0.5, 12).toFixed(2),
        jitter_packet_count: String(Math.round(packets * 0.02)),
        packet_count: String(packets),
        skip_packet_count: String(loss),
      },
      outbound: { packet_count: String(packets), skip_packet_count: '0' },
    };
  }

  function endCall(
    call: SimCall,
    cause: HangupCause,
    source: HangupSource,
    endedBy: 'agent' | 'prospect' | 'carrier',
    outcome?: SimulatedOutcome,
  ): void {
    if (call.phase === 'ended') return;
    call.phase = 'ended';
    const now = Date.now();
    if (call.speaking) {
      emit(call, 'call.speak.ended', { ...common(call), status: 'call_hangup' });
      call.speaking = null;
    }
    if (call.speakTimer) clearTimeout(call.speakTimer);
    for (const t of call.timers) clearTimeout(t);
    call.timers.clear();
    for (const w of call.waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new CallEndedSignal());
    }
    call.waiters.clear();
    const r = call.record;
    r.hangupCause = cause;
    r.hangupSource = source;
    r.endedBy = endedBy;
    r.endedAt = iso(now);
    r.outcome =
      outcome ??
      (r.decided
        ? r.converted
          ? 'converted'
          : 'declined'
        : r.machine && r.answered
          ? 'machine'
          : r.answered
            ? 'abandoned'
            : 'unanswered');
    emit(call, 'call.hangup', {
      ...common(call),
      from: r.from,
      to: r.to,
      start_time: r.startedAt,
      state: 'hangup',
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: sipCause(cause, call),
      call_quality_stats: qualityStats(call),
    } as CallHangup.Payload);
    later(() => {
      const simSecs = call.answeredMs === null ? 0 : (now - call.answeredMs) / Math.max(timeScale, 1e-9) / 1000;
      const billed = call.answeredMs === null ? 0 : Math.max(1, Math.ceil(simSecs));
      const minutes = billed / 60;
      const trunkRate = r.direction === 'outbound' ? RATES.outbound : RATES.inbound;
      const parts = [
        { call_part: 'call-control', rate: RATES.callControl, cost: minutes * RATES.callControl },
        { call_part: 'sip-trunking', rate: trunkRate, cost: minutes * trunkRate },
      ];
      const failed = payloadShapes.chance(payloads.costErrorRate);
      if (payloads.callCostWebhooks) {
        emit(call, 'call.cost', {
          ...common(call),
          occurred_at: iso(),
          // A failed calculation is documented with null total and duration (spec: nullable).
          ...(failed
            ? {
                status: 'error',
                total_cost: null as unknown as string,
                billed_duration_secs: null as unknown as number,
              }
            : {
                status: 'success',
                billed_duration_secs: billed,
                total_cost: parts.reduce((s, p) => s + p.cost, 0).toFixed(4),
                cost_parts: parts.map((p) => ({
                  call_part: p.call_part,
                  billed_duration_secs: billed,
                  rate: p.rate.toFixed(4),
                  cost: p.cost.toFixed(4),
                  currency: 'USD',
                })),
              }),
        });
      }
      call.settled = true;
    }, SIM_TIMING.costDelayMs);
  }

  function answerCall(call: SimCall): void {
    call.phase = 'answered';
    call.answeredMs = Date.now();
    call.record.answered = true;
    call.record.answeredAt = iso(call.answeredMs);
    if (call.transcribeOnAnswer) call.transcribing = true;
    emit(call, 'call.answered', {
      ...common(call),
      from: call.record.from,
      to: call.record.to,
      start_time: call.record.startedAt,
      state: 'answered',
    });
    later(() => endCall(call, 'time_limit', 'unknown', 'carrier'), SIM_TIMING.timeLimitSecs * 1000, call);
    notify(call);
  }

  // --- agent speech ---------------------------------------------------------------------------
  const speakMs = (text: string): number => SIM_TIMING.speakBaseMs + SIM_TIMING.speakPerCharMs * text.length;
  const utteranceMs = (text: string): number =>
    SIM_TIMING.utteranceBaseMs + SIM_TIMING.utterancePerWordMs * text.split(/\s+/).filter(Boolean).length;

  function startNextSpeak(call: SimCall): void {
    if (call.speaking || call.phase !== 'answered') return;
    const next = call.speaks.find((s) => !s.started);
    if (!next) return;
    next.started = true;
    call.speaking = next;
    call.record.agentLines.push(next.text);
    emit(call, 'call.speak.started', common(call));
    call.speakTimer = setTimeout(
      () => {
        call.speakTimer = null;
        if (call.phase === 'ended') return;
        next.done = true;
        call.speaking = null;
        emit(call, 'call.speak.ended', { ...common(call), status: 'completed' });
        notify(call);
        startNextSpeak(call);
      },
      scale(speakMs(next.text)),
    );
    notify(call);
  }

  // --- the prospect ---------------------------------------------------------------------------
  async function say(call: SimCall, text: string, role: SimulatedUtterance['role'], kind?: SimulatedUtterance['kind']) {
    const duration = utteranceMs(text);
    if (call.timing.chance(0.3)) {
      const words = text.split(/\s+/);
      await sleep(call, duration / 2);
      if (call.transcribing) {
        const partial = words.slice(0, Math.max(1, Math.floor(words.length / 2))).join(' ');
        emitTranscription(call, partial, false, Number(call.timing.range(0.6, 0.85).toFixed(3)));
      }
      await sleep(call, duration / 2);
    } else {
      await sleep(call, duration);
    }
    const transcribed = call.transcribing;
    call.record.utterances.push({ role, text, transcribed, at: iso(), ...(kind ? { kind } : {}) });
    if (transcribed) emitTranscription(call, text, true, Number(call.timing.range(0.82, 0.98).toFixed(3)));
  }

  const reaction = (call: SimCall): number => call.timing.range(SIM_TIMING.reactionMs[0], SIM_TIMING.reactionMs[1]);
  const agentQuiet = (call: SimCall) => (): boolean => call.speaking === null && call.speaks.every((s) => s.done);

  async function prospectHangsUp(call: SimCall): Promise<void> {
    endCall(call, 'normal_clearing', prospectSide(call), 'prospect');
  }

  async function converse(call: SimCall): Promise<void> {
    const p = call.prospect;
    const r = call.record;
    // The prospect starts talking once someone is listening (transcription on) or prompts on silence.
    if (!(await waitUntil(call, () => call.transcribing, SIM_TIMING.silenceMs))) {
      await say(call, p.silencePrompt, 'prompt');
      if (!(await waitUntil(call, () => call.transcribing, SIM_TIMING.silenceMs))) return prospectHangsUp(call);
    }
    await waitUntil(call, agentQuiet(call), SIM_TIMING.silenceMs * 2);
    await sleep(call, reaction(call));
    await say(call, p.opening, 'opening');
    for (let i = 0; i < p.objections.length; i++) {
      const kind = p.objections[i]!;
      const line = p.objectionLines[i]!;
      if (!p.bargeIn[i - 1]) await waitUntil(call, agentQuiet(call), SIM_TIMING.silenceMs * 2);
      await sleep(call, reaction(call));
      let cursor = call.speaks.length;
      r.objections.push(kind);
      await say(call, line, 'objection', kind);
      let answered = await waitUntil(call, () => call.speaks.length > cursor, SIM_TIMING.silenceMs);
      if (!answered) {
        cursor = call.speaks.length;
        await say(call, p.repeatPrefixes[i]! + line, 'repeat', kind);
        answered = await waitUntil(call, () => call.speaks.length > cursor, SIM_TIMING.silenceMs);
        if (!answered) {
          r.answers.push({ kind, text: null, appeal: 0 });
          return prospectHangsUp(call);
        }
      }
      const answer = call.speaks[cursor]!;
      r.answers.push({ kind, text: answer.text, appeal: appeal(seed, kind, answer.text) });
      if (p.bargeIn[i]) {
        // Talk over the agent: wait until it starts, then interrupt part-way.
        await waitUntil(call, () => answer.started, SIM_TIMING.silenceMs * 2);
        await sleep(call, speakMs(answer.text) * call.timing.range(0.2, 0.5));
      } else {
        await waitUntil(call, () => answer.done, SIM_TIMING.silenceMs * 4);
      }
    }
    const probability = conversionProbability(seed, r.answers);
    r.conversionProbability = probability;
    r.decided = true;
    r.converted = p.decisionDraw < probability;
    if (!p.bargeIn[p.objections.length - 1]) await waitUntil(call, agentQuiet(call), SIM_TIMING.silenceMs * 2);
    await sleep(call, reaction(call));
    await say(call, r.converted ? p.verdictYes : p.verdictNo, 'verdict');
    await sleep(call, SIM_TIMING.verdictHangupMs);
    return prospectHangsUp(call);
  }

  async function voicemail(call: SimCall): Promise<void> {
    const greetingMs = call.timing.range(SIM_TIMING.voicemailGreetingMs[0], SIM_TIMING.voicemailGreetingMs[1]);
    await sleep(call, greetingMs);
    call.record.utterances.push({
      role: 'voicemail',
      text: call.prospect.voicemailGreeting,
      transcribed: call.transcribing,
      at: iso(),
    });
    if (call.transcribing) emitTranscription(call, call.prospect.voicemailGreeting, true, 0.9);
    if (
      call.amd === 'detect_beep' ||
      call.amd === 'greeting_end' ||
      call.amd === 'detect_words' ||
      call.amd === 'premium'
    ) {
      emit(call, 'call.machine.greeting.ended', {
        ...amdIds(call),
        from: call.record.from,
        to: call.record.to,
        result: 'beep_detected',
      });
    }
    await sleep(call, SIM_TIMING.voicemailMaxMs);
    endCall(call, 'normal_clearing', prospectSide(call), 'prospect', 'machine');
  }

  function runScript(call: SimCall, script: (c: SimCall) => Promise<void>): void {
    script(call).catch((e: unknown) => {
      if (!(e instanceof CallEndedSignal)) {
        // A bug in the script must not leave the call hanging: end it and keep the simulator up.
        endCall(call, 'unspecified', 'unknown', 'carrier');
      }
    });
  }

  async function afterAnswer(call: SimCall): Promise<void> {
    const amdOn = call.record.direction === 'outbound' && call.amd !== 'disabled';
    if (amdOn) {
      later(
        () => {
          if (call.phase !== 'answered') return;
          call.record.amdResult = call.prospect.amdResult;
          emit(call, 'call.machine.detection.ended', {
            ...amdIds(call),
            from: call.record.from,
            to: call.record.to,
            result: call.prospect.amdResult,
          });
          notify(call);
        },
        call.timing.range(SIM_TIMING.amdAnalysisMs[0], SIM_TIMING.amdAnalysisMs[1]),
        call,
      );
    }
    if (call.prospect.machine) return voicemail(call);
    return converse(call);
  }

  async function inboundScript(call: SimCall): Promise<void> {
    if (!(await waitUntil(call, () => call.phase === 'answered', SIM_TIMING.inboundAnswerTimeoutMs))) {
      endCall(call, 'originator_cancel', 'caller', 'prospect', 'unanswered');
      return;
    }
    return afterAnswer(call);
  }

  async function outboundScript(call: SimCall): Promise<void> {
    const p = call.prospect;
    const timeoutMs = call.dialTimeoutSecs * 1000;
    if (p.pickup === 'busy') {
      await sleep(call, Math.min(timeoutMs, p.ringMs * 0.3));
      endCall(call, 'user_busy', 'callee', 'prospect', 'busy');
      return;
    }
    if (p.pickup === 'no_answer' || p.ringMs >= timeoutMs) {
      await sleep(call, timeoutMs);
      endCall(call, 'timeout', 'caller', 'carrier', 'no_answer');
      return;
    }
    await sleep(call, p.ringMs);
    answerCall(call);
    return afterAnswer(call);
  }

  // --- HTTP -----------------------------------------------------------------------------------
  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    stats.responsesByStatus[status] = (stats.responsesByStatus[status] ?? 0) + 1;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }

  function dial(body: Record<string, unknown>): { status: number; body: CallDialResponse } {
    const connectionId = requiredString(body, 'connection_id');
    if (connectionId !== options.connectionId) throw apiErrors.unknownConnection();
    if (Array.isArray(body['to'])) {
      throw apiErrors.invalid('to', 'The simulator dials one destination: `to` must be a single E.164 number.');
    }
    const to = requiredString(body, 'to');
    if (!E164.test(to)) throw apiErrors.notE164('to');
    const from = requiredString(body, 'from');
    if (!E164.test(from)) throw apiErrors.notE164('from');
    const { clientState } = validateCommon(body);
    const amd = optionalString(body, 'answering_machine_detection') ?? 'disabled';
    if (!(AMD_MODES as readonly string[]).includes(amd)) {
      throw apiErrors.invalid(
        'answering_machine_detection',
        `The 'answering_machine_detection' parameter must be one of ${AMD_MODES.join(', ')}.`,
      );
    }
    let timeoutSecs: number = SIM_TIMING.defaultDialTimeoutSecs;
    if (body['timeout_secs'] !== undefined) {
      const t = body['timeout_secs'];
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 5 || t > 600) {
        throw apiErrors.invalid('timeout_secs', "The 'timeout_secs' parameter must be an integer between 5 and 600.");
      }
      timeoutSecs = t;
    }
    const webhookUrl = validateUrl(body, 'webhook_url') ?? defaultWebhookUrl;
    if (body['transcription'] !== undefined && typeof body['transcription'] !== 'boolean') {
      throw apiErrors.invalid('transcription', "The 'transcription' parameter must be a boolean.");
    }
    const retryAfter = takeDialToken();
    if (retryAfter > 0) {
      stats.rateLimited++;
      throw apiErrors.tooManyRequests(retryAfter);
    }
    stats.dialsAccepted++;
    const call = newCall('outbound', from, to, webhookUrl);
    call.clientState = clientState;
    call.amd = amd as SimCall['amd'];
    call.dialTimeoutSecs = timeoutSecs;
    call.transcribeOnAnswer = body['transcription'] === true;
    emit(call, 'call.initiated', {
      ...common(call),
      direction: 'outgoing',
      from,
      to,
      state: 'bridging',
      start_time: call.record.startedAt,
    });
    runScript(call, outboundScript);
    return {
      status: 200,
      body: {
        data: {
          call_control_id: call.record.callControlId,
          call_leg_id: call.record.callLegId,
          call_session_id: call.record.callSessionId,
          is_alive: false,
          record_type: 'call',
          start_time: call.record.startedAt,
          ...(clientState === undefined ? {} : { client_state: clientState }),
        },
      },
    };
  }

  function countCommand(name: string, status: number): void {
    stats.commandsTotal++;
    const byStatus = (stats.byName[name] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  function command(call: SimCall, name: string, body: Record<string, unknown>): { status: number; body: unknown } {
    const { clientState, commandId } = validateCommon(body);
    if (commandId !== undefined) {
      const previous = call.commandIds.get(commandId);
      if (previous) {
        stats.idempotentReplays++;
        return previous;
      }
    }
    if (call.phase === 'ended') throw apiErrors.callEnded();
    // Validate parameters before anything can change.
    let speakText = '';
    let rejectCause: 'CALL_REJECTED' | 'USER_BUSY' = 'CALL_REJECTED';
    switch (name) {
      case 'speak': {
        speakText = requiredString(body, 'payload');
        if (speakText.length > 3000)
          throw apiErrors.invalid('payload', "The 'payload' parameter is limited to 3,000 characters.");
        requiredString(body, 'voice');
        const payloadType = optionalString(body, 'payload_type');
        if (payloadType !== undefined && payloadType !== 'text' && payloadType !== 'ssml') {
          throw apiErrors.invalid('payload_type', "The 'payload_type' parameter must be 'text' or 'ssml'.");
        }
        break;
      }
      case 'reject': {
        const cause = requiredString(body, 'cause');
        if (cause !== 'CALL_REJECTED' && cause !== 'USER_BUSY') {
          throw apiErrors.invalid('cause', "The 'cause' parameter must be CALL_REJECTED or USER_BUSY.");
        }
        rejectCause = cause;
        break;
      }
      case 'playback_start': {
        if (
          body['audio_url'] === undefined &&
          body['media_name'] === undefined &&
          body['playback_content'] === undefined
        ) {
          throw apiErrors.missing('audio_url');
        }
        validateUrl(body, 'audio_url');
        break;
      }
      case 'answer':
        validateUrl(body, 'webhook_url');
        break;
      default:
        break;
    }
    const rate = faults.commandErrorRate ?? 0;
    if (rate > 0 && commandFaults.chance(rate)) {
      stats.faultsInjected++;
      throw apiErrors.unexpected(commandFaults.chance(0.5) ? 500 : 503);
    }
    // State checks.
    const inbound = call.record.direction === 'inbound';
    if ((name === 'answer' || name === 'reject') && !(inbound && call.phase === 'parked')) {
      throw apiErrors.wrongState(name, call.phase);
    }
    if (
      ['speak', 'transcription_start', 'transcription_stop', 'playback_start', 'playback_stop'].includes(name) &&
      call.phase !== 'answered'
    ) {
      throw apiErrors.wrongState(name, call.phase);
    }
    if (clientState !== undefined) call.clientState = clientState;
    switch (name) {
      case 'answer': {
        const webhookUrl = optionalString(body, 'webhook_url');
        if (webhookUrl) call.webhookUrl = webhookUrl;
        if (body['transcription'] === true) call.transcribeOnAnswer = true;
        answerCall(call);
        break;
      }
      case 'speak':
        call.speaks.push({ text: speakText, started: false, done: false });
        startNextSpeak(call);
        notify(call);
        break;
      case 'transcription_start':
        call.transcribing = true;
        notify(call);
        break;
      case 'transcription_stop':
        call.transcribing = false;
        break;
      case 'playback_start':
        emit(call, 'call.playback.started', { ...common(call) });
        later(
          () => emit(call, 'call.playback.ended', { ...common(call), status: 'completed' }),
          SIM_TIMING.playbackMs,
          call,
        );
        break;
      case 'playback_stop':
        break;
      case 'hangup':
        if (call.phase === 'answered') endCall(call, 'normal_clearing', agentSide(call), 'agent');
        else endCall(call, 'originator_cancel', agentSide(call), 'agent', 'unanswered');
        break;
      case 'reject':
        endCall(call, rejectCause === 'USER_BUSY' ? 'user_busy' : 'call_rejected', 'callee', 'agent', 'rejected');
        break;
    }
    const result = { status: 200, body: { data: { result: 'ok' } } };
    if (commandId !== undefined) call.commandIds.set(commandId, result);
    return result;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v2') throw apiErrors.notFound();
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${options.apiKey}`) throw apiErrors.authentication();
    if (closed) throw apiErrors.unexpected(503);
    const raw = await readBody(req);
    const method = req.method ?? 'GET';

    if (parts[1] === 'calls' && parts.length === 2) {
      if (method !== 'POST') throw apiErrors.notFound();
      const result = dial(parseJsonObject(raw));
      return send(res, result.status, result.body);
    }
    if (parts[1] === 'calls' && parts.length === 3 && method === 'GET') {
      const call = calls.get(decodeURIComponent(parts[2]!));
      if (!call) throw apiErrors.notFound('Call not found.');
      const r = call.record;
      return send(res, 200, {
        data: {
          call_control_id: r.callControlId,
          call_leg_id: r.callLegId,
          call_session_id: r.callSessionId,
          is_alive: call.phase !== 'ended',
          record_type: 'call',
          start_time: r.startedAt,
          ...(r.endedAt ? { end_time: r.endedAt } : {}),
          ...(call.clientState ? { client_state: call.clientState } : {}),
        },
      });
    }
    if (parts[1] === 'calls' && parts.length === 5 && parts[3] === 'actions') {
      if (method !== 'POST') throw apiErrors.notFound();
      let id: string;
      try {
        id = decodeURIComponent(parts[2]!);
      } catch {
        throw apiErrors.notFound('Call not found.');
      }
      const name = parts[4]!;
      const call = calls.get(id);
      if (!SUPPORTED_COMMANDS.has(name)) {
        throw apiErrors.notFound(`Unknown or unsupported call command '${name}'.`);
      }
      if (!call) {
        countCommand(name, 404);
        throw apiErrors.notFound('Call not found: unknown call_control_id.');
      }
      let status = 200;
      let commandId: string | null = null;
      try {
        const body = parseJsonObject(raw);
        commandId = typeof body['command_id'] === 'string' ? body['command_id'] : null;
        const result = command(call, name, body);
        send(res, result.status, result.body);
      } catch (e) {
        status = e instanceof ApiFailure ? e.status : 500;
        throw e;
      } finally {
        countCommand(name, status);
        call.record.commands.push({ name, status, commandId, at: iso() });
      }
      return;
    }
    throw apiErrors.notFound();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return;
      if (e instanceof ApiFailure) send(res, e.status, e.body(), e.headers);
      else send(res, 500, apiErrors.unexpected(500).body());
    });
  });
  server.keepAliveTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const baseUrl = `http://${urlHost}:${address.port}`;

  function isIdle(): boolean {
    for (const c of order) if (!c.settled) return false;
    return dispatcher.idle(order.map((c) => c.queue));
  }

  function snapshot(): SimulatorStats {
    const byOutcome: Record<SimulatedOutcome, number> = {
      active: 0,
      converted: 0,
      declined: 0,
      abandoned: 0,
      machine: 0,
      no_answer: 0,
      busy: 0,
      rejected: 0,
      unanswered: 0,
    };
    const byHangupCause: Record<string, number> = {};
    let inbound = 0;
    let answered = 0;
    for (const c of order) {
      byOutcome[c.record.outcome]++;
      if (c.record.hangupCause) byHangupCause[c.record.hangupCause] = (byHangupCause[c.record.hangupCause] ?? 0) + 1;
      if (c.record.direction === 'inbound') inbound++;
      if (c.record.answered) answered++;
    }
    const d = dispatcher.counters;
    return {
      calls: {
        total: order.length,
        active: byOutcome.active,
        ended: order.length - byOutcome.active,
        inbound,
        outbound: order.length - inbound,
        answered,
        byOutcome,
        byHangupCause,
      },
      webhooks: { ...d, latencyMs: summarize(dispatcher.latencies) },
      commands: {
        total: stats.commandsTotal,
        byName: structuredClone(stats.byName),
        faultsInjected: stats.faultsInjected,
        idempotentReplays: stats.idempotentReplays,
      },
      dials: { accepted: stats.dialsAccepted, rateLimited: stats.rateLimited },
      responsesByStatus: { ...stats.responsesByStatus },
    };
  }

  return {
    url: baseUrl,
    publicKeyBase64,

    async placeInboundCall(opts = {}) {
      if (closed) throw new Error('simulator is closed');
      inboundCounter++;
      const from =
        opts.from ??
        `+1555${String(2_000_000 + Math.floor(new Rng('inbound-from', seed, inboundCounter).next() * 7_999_999)).padStart(7, '0')}`;
      const to = opts.to ?? '+18005550100';
      if (!E164.test(from) || !E164.test(to)) throw new Error('placeInboundCall: from/to must be E.164');
      const call = newCall('inbound', from, to, defaultWebhookUrl);
      emit(call, 'call.initiated', {
        ...common(call),
        direction: 'incoming',
        from,
        to,
        state: 'parked',
        start_time: call.record.startedAt,
        caller_id_name: from,
        offered_codecs: 'PCMU,PCMA,G722,OPUS',
      });
      runScript(call, inboundScript);
      return { callControlId: call.record.callControlId };
    },

    waitForIdle(timeoutMs: number) {
      const deadline = Date.now() + timeoutMs;
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (isIdle()) return resolve();
          if (Date.now() >= deadline) {
            const stuck = order
              .filter((c) => !c.settled || c.queue.items.length > 0 || c.queue.running)
              .slice(0, 20)
              .map(
                (c) =>
                  `${c.record.callControlId} (${c.record.direction}, ${c.phase}, last event ${c.record.webhooks.at(-1)?.eventType ?? 'none'}, queued ${c.queue.items.length})`,
              );
            return reject(
              new Error(
                `simulator not idle after ${timeoutMs} ms: ${stuck.length} stuck call(s)${stuck.length ? ': ' + stuck.join('; ') : ''}; ${dispatcher.inFlight()} delivery task(s) in flight`,
              ),
            );
          }
          const t = setTimeout(() => {
            globalTimers.delete(t);
            check();
          }, 10);
          globalTimers.add(t);
        };
        check();
      });
    },

    stats: snapshot,

    setWebhookUrl(url: string) {
      defaultWebhookUrl = url;
    },
    calls() {
      return order.map((c) => structuredClone(c.record));
    },

    async close() {
      if (closed) return;
      closed = true;
      for (const t of globalTimers) clearTimeout(t);
      globalTimers.clear();
      for (const c of order) {
        for (const t of c.timers) clearTimeout(t);
        if (c.speakTimer) clearTimeout(c.speakTimer);
        for (const w of c.waiters) {
          if (w.timer) clearTimeout(w.timer);
          w.reject(new CallEndedSignal());
        }
        c.waiters.clear();
      }
      await dispatcher.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
