import type { ArmStats } from '../domain';
import { Rng } from '../util/rng';

/**
 * The conversation policy's only free choice: which candidate response to say at a decision
 * point, given each candidate's win/loss record. Swapping the chooser swaps the policy.
 */
export interface ResponseChooser {
  readonly name: string;
  /**
   * `drawKey` names this draw (the call, the decision point, the turn). Only a reproducible
   * chooser uses it: it draws from the key alone, not from a stream shared by every call.
   */
  choose(decisionPoint: string, arms: readonly ArmStats[], drawKey?: string): string;
}

/** The fixed playbook: always the first candidate (by id). No learning. */
export class FirstCandidateChooser implements ResponseChooser {
  readonly name = 'fixed';
  choose(_point: string, arms: readonly ArmStats[]): string {
    return nonEmpty(arms)[0]!.responseId;
  }
}

/** Uniformly random: the baseline learning must beat. */
export class UniformRandomChooser implements ResponseChooser {
  readonly name = 'random';
  constructor(private readonly rng: Rng = new Rng('uniform', Date.now())) {}
  choose(_point: string, arms: readonly ArmStats[]): string {
    return this.rng.pick(nonEmpty(arms)).responseId;
  }
}

/**
 * Thompson sampling: draw a plausible win rate for each candidate from Beta(1 + wins,
 * 1 + losses) and say the one with the highest draw. Untried candidates get explored; a
 * clearly better one wins more and more often as evidence accumulates.
 */
export class ThompsonSamplingChooser implements ResponseChooser {
  readonly name = 'thompson';
  /**
   * An Rng: every draw comes from that one stream (the live server). `{ seed }`: each draw comes
   * from (seed, drawKey) alone, so the same calls make the same choices however their turns
   * interleave with other calls' (a seeded simulation reproduces its outcomes).
   */
  constructor(private readonly source: Rng | { seed: number } = new Rng('thompson', Date.now())) {}

  choose(_point: string, arms: readonly ArmStats[], drawKey = ''): string {
    const rng = this.source instanceof Rng ? this.source : new Rng('thompson', this.source.seed, drawKey);
    let best: ArmStats | undefined;
    let bestDraw = -1;
    for (const arm of nonEmpty(arms)) {
      const draw = sampleBeta(rng, 1 + arm.wins, 1 + Math.max(0, arm.trials - arm.wins));
      if (draw > bestDraw) {
        best = arm;
        bestDraw = draw;
      }
    }
    return best!.responseId;
  }
}

function nonEmpty(arms: readonly ArmStats[]): readonly ArmStats[] {
  if (arms.length === 0) throw new Error('no candidate responses to choose from');
  return arms;
}

/** Beta(a, b) as X/(X+Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x / (x + y);
}

/** Marsaglia–Tsang for shape ≥ 1 (ours always are: 1 + counts). */
function sampleGamma(rng: Rng, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = standardNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

function standardNormal(rng: Rng): number {
  // Box–Muller; 1 - next() keeps log away from 0.
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}
