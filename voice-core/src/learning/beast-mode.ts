import type { ArmStats, BeastModeSkill, BeastModeSnapshot, CallRecord, LearningGraphSnapshot } from '../domain';
import { sampleBeta } from '../conversation/chooser';
import type { Stores } from '../ports';
import { Rng } from '../util/rng';
import { bestArm } from './posterior';

/**
 * Beast Mode: how close the agent is to expert performance, per skill and overall, 0–100.
 *
 * Learned skills (opening, discovery, objection handling), per decision point d with arms a
 * (wins wₐ, trials nₐ, N = Σ nₐ):
 *   exploit(d)    = P(a Thompson draw picks the arm with the best posterior mean (wₐ+1)/(nₐ+2)),
 *                   estimated with 400 seeded draws — 1/k while nothing is known, → 1 once one
 *                   answer is clearly best
 *   confidence(d) = N / (N + 30)                         — little evidence, little credit
 *   mastery(d)    = exploit(d) · confidence(d)
 *   skill         = 100 · Σ_d (N_d + 1) · mastery(d) / Σ_d (N_d + 1)
 * Closing (from recent outcomes): 100 · min(1, conversion of the last answered human calls /
 *   conversion target). Overall = 0.2·opening + 0.15·discovery + 0.4·objection handling + 0.25·closing.
 * Beast mode = overall ≥ the expert bar in each of the last `sustain` snapshots.
 */
export interface BeastModeOptions {
  /** Conversion rate of answered calls that counts as expert closing. */
  conversionTarget: number;
  /** Overall score that counts as expert performance. */
  expertBar: number;
  /** Consecutive snapshots at or above the bar needed for Beast Mode. */
  sustain: number;
  /** How many recent answered calls the closing score looks at. */
  recentCalls: number;
}

export const DEFAULT_BEAST_MODE: BeastModeOptions = {
  conversionTarget: 0.5,
  expertBar: 90,
  sustain: 5,
  recentCalls: 200,
};

export const SKILL_WEIGHTS: Record<Exclude<BeastModeSkill, 'overall'>, number> = {
  opening: 0.2,
  discovery: 0.15,
  objection_handling: 0.4,
  closing: 0.25,
};

const DRAWS = 400;
const CONFIDENCE_HALF = 30;

export type BeastModeScores = Record<BeastModeSkill, number>;

export function exploitProbability(arms: readonly ArmStats[], rng = new Rng('beast-mode')): number {
  const best = bestArm(arms);
  if (!best) return 0;
  let hits = 0;
  for (let i = 0; i < DRAWS; i += 1) {
    let top = arms[0]!;
    let topDraw = -1;
    for (const arm of arms) {
      const draw = sampleBeta(rng, 1 + arm.wins, 1 + Math.max(0, arm.trials - arm.wins));
      if (draw > topDraw) {
        top = arm;
        topDraw = draw;
      }
    }
    if (top === best) hits += 1;
  }
  return hits / DRAWS;
}

export function mastery(arms: readonly ArmStats[]): number {
  const trials = arms.reduce((n, a) => n + a.trials, 0);
  return exploitProbability(arms) * (trials / (trials + CONFIDENCE_HALF));
}

/** Scores from the learning graph and the most recent finished calls (newest first or any order). */
export function beastModeScores(
  graph: LearningGraphSnapshot,
  recent: readonly Pick<CallRecord, 'outcome' | 'answeredAt'>[],
  options: BeastModeOptions = DEFAULT_BEAST_MODE,
): BeastModeScores {
  const skillOf = new Map(graph.responses.map((r) => [r.id, r.skill]));
  const byPoint = new Map<string, ArmStats[]>();
  for (const arm of graph.arms) byPoint.set(arm.objectionId, [...(byPoint.get(arm.objectionId) ?? []), arm]);

  const learned = { opening: [0, 0], discovery: [0, 0], objection_handling: [0, 0] } as Record<
    string,
    [number, number]
  >;
  for (const arms of byPoint.values()) {
    const skill = skillOf.get(arms[0]!.responseId);
    if (!skill || !(skill in learned)) continue;
    const weight = arms.reduce((n, a) => n + a.trials, 0) + 1;
    learned[skill]![0] += weight * mastery(arms);
    learned[skill]![1] += weight;
  }
  const score = (skill: string) => {
    const [sum, weight] = learned[skill]!;
    return weight === 0 ? 0 : (100 * sum) / weight;
  };

  const answered = recent
    .filter((c) => c.answeredAt && c.outcome && c.outcome !== 'voicemail')
    .slice(0, options.recentCalls);
  const conversion =
    answered.length === 0 ? 0 : answered.filter((c) => c.outcome === 'converted').length / answered.length;
  const closing = 100 * Math.min(1, conversion / options.conversionTarget);

  const scores = {
    opening: score('opening'),
    discovery: score('discovery'),
    objection_handling: score('objection_handling'),
    closing,
  };
  const overall = (Object.keys(SKILL_WEIGHTS) as (keyof typeof SKILL_WEIGHTS)[]).reduce(
    (sum, skill) => sum + SKILL_WEIGHTS[skill] * scores[skill],
    0,
  );
  return { ...mapValues(scores, round1), overall: round1(overall) };
}

const RECENT_WINDOW_MS = 7 * 24 * 3600 * 1000;

/** The scores now, from the learning graph and the calls of the last week. */
export async function computeBeastMode(
  stores: Pick<Stores, 'graph' | 'calls'>,
  options: BeastModeOptions = DEFAULT_BEAST_MODE,
  now = Date.now(),
): Promise<BeastModeSnapshot> {
  const [graph, recent] = await Promise.all([
    stores.graph.snapshot(),
    stores.calls.listCalls({
      from: new Date(now - RECENT_WINDOW_MS).toISOString(),
      to: new Date(now + 60_000).toISOString(),
      limit: options.recentCalls * 3,
    }),
  ]);
  const scores = beastModeScores(graph, recent, options);
  // Every answered human call says exactly one opening line: its trials count the calls learned from.
  const callsLearned = graph.arms.filter((a) => a.objectionId === 'opening').reduce((n, a) => n + a.trials, 0);
  return { takenAt: new Date(now).toISOString(), scores, callsLearned };
}

/** Beast Mode is on when the overall score held the bar in each of the last `sustain` snapshots. */
export function isBeastMode(
  snapshots: readonly BeastModeSnapshot[],
  options: BeastModeOptions = DEFAULT_BEAST_MODE,
): boolean {
  const last = [...snapshots].sort((a, b) => a.takenAt.localeCompare(b.takenAt)).slice(-options.sustain);
  return last.length === options.sustain && last.every((s) => s.scores.overall >= options.expertBar);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function mapValues<T extends Record<string, number>>(o: T, f: (v: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}
