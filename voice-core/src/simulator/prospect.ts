import {
  OBJECTION_KINDS,
  OBJECTION_PHRASINGS,
  OPENINGS,
  REPEAT_PREFIXES,
  SILENCE_PROMPTS,
  VERDICTS_NO,
  VERDICTS_YES,
  VOICEMAIL_GREETINGS,
  type ObjectionKind,
} from './corpus';
import { hashUnit, Rng } from '../util/rng';

/** Sharpness of the appeal curve: larger pushes appeals towards 0 and 1. */
const APPEAL_SHARPNESS = 6;
/** Conversion probability when every answer has appeal 0 … and when every answer has appeal 1. */
export const CONVERSION_FLOOR = 0.1;
export const CONVERSION_CEILING = 0.8;

/** How answers are compared: case, surrounding and repeated whitespace do not matter. */
export function normalizeAnswer(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const logistic = (x: number): number => 1 / (1 + Math.exp(-x));

/**
 * Hidden preference: how much `responseText` appeals to a prospect raising `objectionKind`,
 * in [0, 1]. Derived from (seed, kind, normalised text) only:
 *
 *   u      = SHA-256("appeal", seed, kind, normalizeAnswer(text)) → uniform in [0, 1)
 *   appeal = (σ(k·(u − ½)) − σ(−k/2)) / (σ(k/2) − σ(−k/2)),  k = 6
 *
 * The sharpening pushes appeals away from the middle, so among a handful of candidate
 * answers the best and the worst differ a lot (learnable), and nothing can be tuned
 * to a particular wording without running the hash. An empty answer has appeal 0.
 */
export function appeal(seed: number, objectionKind: ObjectionKind, responseText: string): number {
  const text = normalizeAnswer(responseText);
  if (text.length === 0) return 0;
  const u = hashUnit('appeal', seed, objectionKind, text);
  const lo = logistic(-APPEAL_SHARPNESS / 2);
  const hi = logistic(APPEAL_SHARPNESS / 2);
  const a = (logistic(APPEAL_SHARPNESS * (u - 0.5)) - lo) / (hi - lo);
  return Math.min(1, Math.max(0, a));
}

export interface ProspectAnswer {
  kind: ObjectionKind;
  /** The agent's answer; null when the objection went unanswered. */
  text: string | null;
}

/**
 * The prospect's conversion probability given the answers it heard (the oracle for learning
 * evaluation):
 *
 *   p = 0.1 + 0.7 · mean(appeal(seed, kind_i, text_i))     (an unanswered objection counts 0)
 *
 * so p ranges from 0.1 (every answer bad) to 0.8 (every answer ideal). With no objections
 * the prospect is neutral: p = 0.45. The prospect converts iff its hidden draw (fixed per
 * prospect, uniform in [0, 1)) is below p.
 */
export function conversionProbability(seed: number, answers: readonly ProspectAnswer[]): number {
  if (answers.length === 0) return (CONVERSION_FLOOR + CONVERSION_CEILING) / 2;
  const total = answers.reduce((sum, a) => sum + (a.text === null ? 0 : appeal(seed, a.kind, a.text)), 0);
  return CONVERSION_FLOOR + (CONVERSION_CEILING - CONVERSION_FLOOR) * (total / answers.length);
}

export type PickupBehaviour = 'answer' | 'no_answer' | 'busy';
export type AmdVerdict = 'human' | 'machine' | 'not_sure';

/** Everything a simulated prospect will do, fixed when the call starts (derived from seed + key). */
export interface ProspectProfile {
  /** `${direction}:${remote number}#${occurrence}`: the same key always yields the same prospect. */
  key: string;
  pickup: PickupBehaviour;
  /** Simulated ms of ringing before the prospect picks up (or gives up being busy). */
  ringMs: number;
  machine: boolean;
  /** What answering-machine detection reports for this call. */
  amdResult: AmdVerdict;
  opening: string;
  objections: ObjectionKind[];
  objectionLines: string[];
  repeatPrefixes: string[];
  /** Per objection: barge in on the agent's answer instead of letting it finish. */
  bargeIn: boolean[];
  /** Uniform in [0, 1); converts iff below conversionProbability(seed, answers). */
  decisionDraw: number;
  verdictYes: string;
  verdictNo: string;
  silencePrompt: string;
  voicemailGreeting: string;
}

/** Outbound pick-up mix (US B2B cold calling is roughly in this range). */
export const PICKUP_RATES = { noAnswer: 0.12, busy: 0.05 } as const;
/** Fraction of answered outbound calls that reach a machine. */
export const MACHINE_RATE = 0.15;
/** Fraction of objection answers the prospect talks over. */
export const BARGE_IN_RATE = 0.15;

export function createProspect(seed: number, key: string, direction: 'inbound' | 'outbound'): ProspectProfile {
  const rng = new Rng('prospect', seed, key);
  let pickup: PickupBehaviour = 'answer';
  const r = rng.next();
  if (direction === 'outbound') {
    if (r < PICKUP_RATES.noAnswer) pickup = 'no_answer';
    else if (r < PICKUP_RATES.noAnswer + PICKUP_RATES.busy) pickup = 'busy';
  }
  const machine = direction === 'outbound' && pickup === 'answer' && rng.chance(MACHINE_RATE);
  const amdRoll = rng.next();
  const amdResult: AmdVerdict = machine
    ? amdRoll < 0.9
      ? 'machine'
      : 'not_sure'
    : amdRoll < 0.95
      ? 'human'
      : 'not_sure';
  const count = rng.int(1, 3);
  const objections = rng.shuffle(OBJECTION_KINDS).slice(0, count);
  return {
    key,
    pickup,
    ringMs: rng.range(2000, 7000),
    machine,
    amdResult,
    opening: rng.pick(OPENINGS),
    objections,
    objectionLines: objections.map((k) => rng.pick(OBJECTION_PHRASINGS[k])),
    repeatPrefixes: objections.map(() => rng.pick(REPEAT_PREFIXES)),
    bargeIn: objections.map(() => rng.chance(BARGE_IN_RATE)),
    decisionDraw: rng.next(),
    verdictYes: rng.pick(VERDICTS_YES),
    verdictNo: rng.pick(VERDICTS_NO),
    silencePrompt: rng.pick(SILENCE_PROMPTS),
    voicemailGreeting: rng.pick(VOICEMAIL_GREETINGS),
  };
}
