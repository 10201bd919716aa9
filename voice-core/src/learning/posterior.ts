import type { ArmStats } from '../domain';

/** The mean of an arm's Beta(wins + 1, losses + 1) posterior: its win rate, shrunk toward ½ while unproven. */
export function posteriorMean(arm: Pick<ArmStats, 'wins' | 'trials'>): number {
  return (arm.wins + 1) / (arm.trials + 2);
}

/** The arm with the best posterior mean (the first of equals), or null when there are none. */
export function bestArm<A extends Pick<ArmStats, 'wins' | 'trials'>>(arms: readonly A[]): A | null {
  if (arms.length === 0) return null;
  return arms.reduce((best, arm) => (posteriorMean(arm) > posteriorMean(best) ? arm : best));
}
