import type { Rng } from '../util/rng';
import type { CallEvents } from './call-events';
import { newRecord, outcomeOf } from './call-record';
import { isoTime, type SimClock, type TimerGroup } from './clock';
import type { DeliveryQueue } from './delivery';
import type { ObjectionKind } from './corpus';
import type { ProspectProfile } from './prospect';
import { SIM_TIMING, speakMs } from './timing';
import type {
  HangupCause,
  HangupSource,
  SimulatedAnswer,
  SimulatedCallRecord,
  SimulatedOutcome,
  SimulatedUtterance,
} from './types';

export type CallPhase = 'ringing' | 'parked' | 'answered' | 'ended';
export type CallEnder = NonNullable<SimulatedCallRecord['endedBy']>;

/** The `answering_machine_detection` modes dial accepts. */
export const AMD_MODES = ['premium', 'detect', 'detect_beep', 'detect_words', 'greeting_end', 'disabled'] as const;
export type AmdMode = (typeof AMD_MODES)[number];

/** One `speak` command: queued, then playing (started), then finished (done). */
export interface AgentSpeak {
  text: string;
  started: boolean;
  done: boolean;
}

/** The HTTP answer to a command, replayed for a repeated command_id. */
export interface CommandResult {
  status: number;
  body: unknown;
}

export interface SimulatedCallInit {
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  /** Identity of the simulated prospect (same key → same prospect). */
  prospectKey: string;
  prospect: ProspectProfile;
  /** This call's durations and audio-quality draws (seeded per prospect). */
  timing: Rng;
  webhookUrl: string;
  clock: SimClock;
  events: CallEvents;
  queue: DeliveryQueue;
}

/**
 * One simulated call: its state and ground-truth record, the transitions the API and the
 * prospect's script drive, the webhooks each transition sends, and its timers (cancelled when
 * the call ends, which also wakes every wait of its script).
 */
export class SimulatedCall {
  readonly prospect: ProspectProfile;
  readonly timing: Rng;
  readonly timers: TimerGroup;
  readonly queue: DeliveryQueue;

  private readonly rec: SimulatedCallRecord;
  private readonly clock: SimClock;
  private readonly events: CallEvents;
  private readonly commandResults = new Map<string, CommandResult>();
  private readonly agentSpeaks: AgentSpeak[] = [];
  private destination: string;
  private latestClientState: string | undefined = undefined;
  private amdMode: AmdMode = 'disabled';
  private ringTimeoutSecs: number = SIM_TIMING.defaultDialTimeoutSecs;
  /** Transcription starts by itself on answer (`transcription: true` on dial or answer). */
  private transcribeOnAnswer = false;
  private currentPhase: CallPhase;
  private currentSpeak: AgentSpeak | null = null;
  private transcriptionOn = false;
  private answeredAtMs: number | null = null;
  /** performance.now() at the answer: durations are measured on it, never on the wall clock. */
  private answeredMark: number | null = null;
  private costEmitted = false;

  constructor(init: SimulatedCallInit) {
    this.prospect = init.prospect;
    this.timing = init.timing;
    this.clock = init.clock;
    this.events = init.events;
    this.queue = init.queue;
    this.timers = init.clock.newGroup();
    this.destination = init.webhookUrl;
    this.currentPhase = init.direction === 'inbound' ? 'parked' : 'ringing';
    this.rec = newRecord(init, Date.now());
  }

  get id(): string {
    return this.rec.callControlId;
  }
  get direction(): 'inbound' | 'outbound' {
    return this.rec.direction;
  }
  /** Ground truth so far (copy it before handing it out). */
  get record(): Readonly<SimulatedCallRecord> {
    return this.rec;
  }
  /** Where this call's webhooks go (dial's or answer's `webhook_url` overrides the default). */
  get webhookUrl(): string {
    return this.destination;
  }
  /** The latest `client_state` given by dial or a command: every later webhook carries it. */
  get clientState(): string | undefined {
    return this.latestClientState;
  }
  get amd(): AmdMode {
    return this.amdMode;
  }
  /** How long an outbound call rings before the carrier gives up (dial's `timeout_secs`). */
  get dialTimeoutSecs(): number {
    return this.ringTimeoutSecs;
  }
  get phase(): CallPhase {
    return this.currentPhase;
  }
  get transcribing(): boolean {
    return this.transcriptionOn;
  }
  get speaks(): readonly AgentSpeak[] {
    return this.agentSpeaks;
  }
  /** When it was answered (performance.now()), for billing and quality stats; null until then. */
  get answeredAtMark(): number | null {
    return this.answeredMark;
  }

  get answeredMs(): number | null {
    return this.answeredAtMs;
  }
  /** call.cost is out (or skipped): nothing more happens on this call. */
  get settled(): boolean {
    return this.costEmitted;
  }
  /** The agent's side of the call: the caller when it dialled out, the callee when it answered. */
  get agentSide(): HangupSource {
    return this.direction === 'outbound' ? 'caller' : 'callee';
  }
  get prospectSide(): HangupSource {
    return this.direction === 'outbound' ? 'callee' : 'caller';
  }
  /** Nothing playing and nothing queued: the prospect may talk. */
  agentQuiet(): boolean {
    return this.currentSpeak === null && this.agentSpeaks.every((s) => s.done);
  }

  // --- transitions --------------------------------------------------------------------------

  /** What dial asked for, set before the call's first webhook. */
  configureDial(dial: {
    clientState: string | undefined;
    amd: AmdMode;
    timeoutSecs: number;
    transcription: boolean;
  }): void {
    this.latestClientState = dial.clientState;
    this.amdMode = dial.amd;
    this.ringTimeoutSecs = dial.timeoutSecs;
    this.transcribeOnAnswer = dial.transcription;
  }

  /**
   * Picked up: by the prospect after ringing (outbound) or by the agent's answer command
   * (inbound), which may redirect the webhooks and turn transcription on.
   */
  answer(command: { webhookUrl?: string; transcription?: boolean } = {}): void {
    if (command.webhookUrl) this.destination = command.webhookUrl;
    if (command.transcription) this.transcribeOnAnswer = true;
    this.currentPhase = 'answered';
    this.answeredAtMs = Date.now();
    this.answeredMark = performance.now();
    this.rec.answered = true;
    this.rec.answeredAt = isoTime(this.answeredAtMs);
    if (this.transcribeOnAnswer) this.transcriptionOn = true;
    this.events.answered(this);
    this.timers.later(() => this.end('time_limit', 'unknown', 'carrier'), SIM_TIMING.timeLimitSecs * 1000);
    this.timers.notify();
  }

  /**
   * Hangs up, once: cuts off the agent's speech, cancels the call's timers and waits, sends
   * call.hangup and, a little later, call.cost. `outcome` defaults to what the prospect got to.
   */
  end(cause: HangupCause, source: HangupSource, endedBy: CallEnder, outcome?: SimulatedOutcome): void {
    if (this.currentPhase === 'ended') return;
    this.currentPhase = 'ended';
    const endedMs = Date.now();
    const endedMark = performance.now();
    if (this.currentSpeak) {
      this.events.speakEnded(this, 'call_hangup');
      this.currentSpeak = null;
    }
    this.timers.cancel();
    const r = this.rec;
    r.hangupCause = cause;
    r.hangupSource = source;
    r.endedBy = endedBy;
    r.endedAt = isoTime(endedMs);
    r.outcome = outcome ?? outcomeOf(r);
    this.events.hangup(this, cause, source);
    // On the shared group: the call's own timers were just cancelled.
    this.clock.shared.later(() => {
      this.events.cost(this, endedMark);
      this.costEmitted = true;
    }, SIM_TIMING.costDelayMs);
  }

  /** Queues a speak command; it plays once the ones before it have finished. */
  queueSpeak(text: string): void {
    this.agentSpeaks.push({ text, started: false, done: false });
    this.startNextSpeak();
    this.timers.notify();
  }

  startTranscription(): void {
    this.transcriptionOn = true;
    this.timers.notify();
  }

  stopTranscription(): void {
    this.transcriptionOn = false;
  }

  /** Plays audio: call.playback.started now, call.playback.ended when it has played. */
  startPlayback(): void {
    this.events.playbackStarted(this);
    this.timers.later(() => this.events.playbackEnded(this), SIM_TIMING.playbackMs);
  }

  /** Answering-machine detection is done: it reports the prospect's verdict (if still answered). */
  finishMachineDetection(): void {
    if (this.currentPhase !== 'answered') return;
    this.rec.amdResult = this.prospect.amdResult;
    this.events.machineDetectionEnded(this);
    this.timers.notify();
  }

  setClientState(clientState: string): void {
    this.latestClientState = clientState;
  }

  // --- ground truth -------------------------------------------------------------------------

  /** Records what the prospect said; returns whether it was transcribed (transcription on). */
  recordUtterance(role: SimulatedUtterance['role'], text: string, kind?: ObjectionKind): boolean {
    const transcribed = this.transcriptionOn;
    this.rec.utterances.push({ role, text, transcribed, at: isoTime(), ...(kind ? { kind } : {}) });
    return transcribed;
  }

  raiseObjection(kind: ObjectionKind): void {
    this.rec.objections.push(kind);
  }

  recordAnswer(answer: SimulatedAnswer): void {
    this.rec.answers.push(answer);
  }

  /** The prospect decides: it converts iff its hidden draw is below `probability`. */
  decide(probability: number): boolean {
    this.rec.conversionProbability = probability;
    this.rec.decided = true;
    this.rec.converted = this.prospect.decisionDraw < probability;
    return this.rec.converted;
  }

  logCommand(name: string, status: number, commandId: string | null): void {
    this.rec.commands.push({ name, status, commandId, at: isoTime() });
  }

  logWebhook(id: string, eventType: string, occurredAt: string): void {
    this.rec.webhooks.push({ id, eventType, occurredAt });
  }

  /** The first answer to a command_id already applied on this call (a repeat is not applied again). */
  resultOf(commandId: string): CommandResult | undefined {
    return this.commandResults.get(commandId);
  }

  rememberResult(commandId: string, result: CommandResult): void {
    this.commandResults.set(commandId, result);
  }

  private startNextSpeak(): void {
    if (this.currentSpeak || this.currentPhase !== 'answered') return;
    const next = this.agentSpeaks.find((s) => !s.started);
    if (!next) return;
    next.started = true;
    this.currentSpeak = next;
    this.rec.agentLines.push(next.text);
    this.events.speakStarted(this);
    this.timers.later(() => this.finishSpeak(next), speakMs(next.text));
    this.timers.notify();
  }

  /** Its timer is cancelled when the call ends, so this runs only on a live call. */
  private finishSpeak(speak: AgentSpeak): void {
    speak.done = true;
    this.currentSpeak = null;
    this.events.speakEnded(this, 'completed');
    this.timers.notify();
    this.startNextSpeak();
  }
}
