import type { CallEvents } from './call-events';
import { WaitCancelled } from './clock';
import type { ObjectionKind } from './corpus';
import { appeal, conversionProbability } from './prospect';
import type { AmdMode, SimulatedCall } from './simulated-call';
import { SIM_TIMING, speakMs, utteranceMs } from './timing';
import type { SimulatedUtterance } from './types';

/** Answering-machine modes that also report the end of the machine's greeting (the beep). */
const BEEP_MODES: ReadonlySet<AmdMode> = new Set(['detect_beep', 'greeting_end', 'detect_words', 'premium']);

/**
 * What a simulated prospect does on a call, step by step: ring (or be busy, or not answer), wait
 * for the agent to answer an inbound call, then reach a voicemail or talk: opening, objections,
 * verdict, hang up. Every wait is on the call's timers, so a script stops as soon as its call
 * ends or the simulator closes.
 */
export class CallScripts {
  constructor(
    private readonly seed: number,
    private readonly events: CallEvents,
  ) {}

  /** Runs the call's script in the background. */
  start(call: SimulatedCall): void {
    const script = call.direction === 'inbound' ? this.inbound(call) : this.outbound(call);
    script.catch((e: unknown) => {
      if (!(e instanceof WaitCancelled)) {
        // A bug in the script must not leave the call hanging: end it and keep the simulator up.
        call.end('unspecified', 'unknown', 'carrier');
      }
    });
  }

  private async inbound(call: SimulatedCall): Promise<void> {
    if (!(await call.timers.waitUntil(() => call.phase === 'answered', SIM_TIMING.inboundAnswerTimeoutMs))) {
      call.end('originator_cancel', 'caller', 'prospect', 'unanswered');
      return;
    }
    return this.afterAnswer(call);
  }

  private async outbound(call: SimulatedCall): Promise<void> {
    const p = call.prospect;
    const timeoutMs = call.dialTimeoutSecs * 1000;
    if (p.pickup === 'busy') {
      await call.timers.sleep(Math.min(timeoutMs, p.ringMs * 0.3));
      call.end('user_busy', 'callee', 'prospect', 'busy');
      return;
    }
    if (p.pickup === 'no_answer' || p.ringMs >= timeoutMs) {
      await call.timers.sleep(timeoutMs);
      call.end('timeout', 'caller', 'carrier', 'no_answer');
      return;
    }
    await call.timers.sleep(p.ringMs);
    call.answer();
    return this.afterAnswer(call);
  }

  private async afterAnswer(call: SimulatedCall): Promise<void> {
    if (call.direction === 'outbound' && call.amd !== 'disabled') {
      const analysisMs = call.timing.range(SIM_TIMING.amdAnalysisMs[0], SIM_TIMING.amdAnalysisMs[1]);
      call.timers.later(() => call.finishMachineDetection(), analysisMs);
    }
    if (call.prospect.machine) return this.voicemail(call);
    return this.converse(call);
  }

  private async voicemail(call: SimulatedCall): Promise<void> {
    const greeting = call.prospect.voicemailGreeting;
    await call.timers.sleep(call.timing.range(SIM_TIMING.voicemailGreetingMs[0], SIM_TIMING.voicemailGreetingMs[1]));
    if (call.recordUtterance('voicemail', greeting)) this.events.transcription(call, greeting, true, 0.9);
    if (BEEP_MODES.has(call.amd)) this.events.machineGreetingEnded(call);
    await call.timers.sleep(SIM_TIMING.voicemailMaxMs);
    call.end('normal_clearing', call.prospectSide, 'prospect', 'machine');
  }

  private async converse(call: SimulatedCall): Promise<void> {
    const p = call.prospect;
    const { timers } = call;
    const agentQuiet = (): boolean => call.agentQuiet();
    // The prospect starts talking once someone is listening (transcription on) or prompts on silence.
    if (!(await timers.waitUntil(() => call.transcribing, SIM_TIMING.silenceMs))) {
      await this.say(call, p.silencePrompt, 'prompt');
      if (!(await timers.waitUntil(() => call.transcribing, SIM_TIMING.silenceMs))) return this.prospectHangsUp(call);
    }
    await timers.waitUntil(agentQuiet, SIM_TIMING.silenceMs * 2);
    await timers.sleep(this.reaction(call));
    const beforeOpening = call.speaks.length;
    await this.say(call, p.opening, 'opening');
    // A person waits for the answer to what they said before raising an objection. Without this
    // wait, a reply slower than the reaction time arrived after the objection and was taken as its
    // answer: outcomes then depended on how fast the agent happened to be.
    await timers.waitUntil(() => call.speaks.length > beforeOpening, SIM_TIMING.silenceMs);
    for (let i = 0; i < p.objections.length; i++) {
      const kind = p.objections[i]!;
      const line = p.objectionLines[i]!;
      if (!p.bargeIn[i - 1]) await timers.waitUntil(agentQuiet, SIM_TIMING.silenceMs * 2);
      await timers.sleep(this.reaction(call));
      let cursor = call.speaks.length;
      call.raiseObjection(kind);
      await this.say(call, line, 'objection', kind);
      let answered = await timers.waitUntil(() => call.speaks.length > cursor, SIM_TIMING.silenceMs);
      if (!answered) {
        cursor = call.speaks.length;
        await this.say(call, p.repeatPrefixes[i]! + line, 'repeat', kind);
        answered = await timers.waitUntil(() => call.speaks.length > cursor, SIM_TIMING.silenceMs);
        if (!answered) {
          call.recordAnswer({ kind, text: null, appeal: 0 });
          return this.prospectHangsUp(call);
        }
      }
      const answer = call.speaks[cursor]!;
      call.recordAnswer({ kind, text: answer.text, appeal: appeal(this.seed, kind, answer.text) });
      if (p.bargeIn[i]) {
        // Talk over the agent: wait until it starts, then interrupt part-way.
        await timers.waitUntil(() => answer.started, SIM_TIMING.silenceMs * 2);
        await timers.sleep(speakMs(answer.text) * call.timing.range(0.2, 0.5));
      } else {
        await timers.waitUntil(() => answer.done, SIM_TIMING.silenceMs * 4);
      }
    }
    const converted = call.decide(conversionProbability(this.seed, call.record.answers));
    if (!p.bargeIn[p.objections.length - 1]) await timers.waitUntil(agentQuiet, SIM_TIMING.silenceMs * 2);
    await timers.sleep(this.reaction(call));
    await this.say(call, converted ? p.verdictYes : p.verdictNo, 'verdict');
    await timers.sleep(SIM_TIMING.verdictHangupMs);
    return this.prospectHangsUp(call);
  }

  /**
   * The prospect says `text`; a share of utterances also yields a partial (non-final)
   * transcription half-way through, as streaming engines send.
   */
  private async say(call: SimulatedCall, text: string, role: SimulatedUtterance['role'], kind?: ObjectionKind) {
    const duration = utteranceMs(text);
    if (call.timing.chance(0.3)) {
      const words = text.split(/\s+/);
      await call.timers.sleep(duration / 2);
      if (call.transcribing) {
        const partial = words.slice(0, Math.max(1, Math.floor(words.length / 2))).join(' ');
        this.events.transcription(call, partial, false, Number(call.timing.range(0.6, 0.85).toFixed(3)));
      }
      await call.timers.sleep(duration / 2);
    } else {
      await call.timers.sleep(duration);
    }
    if (call.recordUtterance(role, text, kind)) {
      this.events.transcription(call, text, true, Number(call.timing.range(0.82, 0.98).toFixed(3)));
    }
  }

  private reaction(call: SimulatedCall): number {
    return call.timing.range(SIM_TIMING.reactionMs[0], SIM_TIMING.reactionMs[1]);
  }

  private async prospectHangsUp(call: SimulatedCall): Promise<void> {
    call.end('normal_clearing', call.prospectSide, 'prospect');
  }
}
