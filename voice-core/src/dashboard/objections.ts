import { isObjectionPoint } from '../conversation/playbook';
import type { LearningGraphSnapshot } from '../domain';
import { bestArm } from '../learning/posterior';

export interface ObjectionStat {
  id: string;
  label: string;
  trials: number;
  winRate: number | null;
  /** The answer with the best posterior mean: what the agent now believes works best. */
  best: { id: string; text: string; winRate: number | null; trials: number } | null;
}

/** Objections by how often the agent answered them, each with its best-known answer. */
export function objectionStats(graph: LearningGraphSnapshot): ObjectionStat[] {
  const text = new Map(graph.responses.map((r) => [r.id, r.text]));
  return graph.objections
    .filter((o) => isObjectionPoint(o.id))
    .map((o) => {
      const arms = graph.arms.filter((a) => a.objectionId === o.id);
      const trials = arms.reduce((n, a) => n + a.trials, 0);
      const wins = arms.reduce((n, a) => n + a.wins, 0);
      const best = bestArm(arms);
      return {
        id: o.id,
        label: o.label,
        trials,
        winRate: trials > 0 ? wins / trials : null,
        best: best
          ? {
              id: best.responseId,
              text: text.get(best.responseId) ?? best.responseId,
              winRate: best.trials ? best.wins / best.trials : null,
              trials: best.trials,
            }
          : null,
      };
    })
    .sort((a, b) => b.trials - a.trials || a.id.localeCompare(b.id));
}
