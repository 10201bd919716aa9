import type { ArmStats, LearningGraphSnapshot } from '../domain';

export interface GraphNode {
  id: string;
  title: string;
  subTitle: string;
  trials: number;
  wins: number;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  trials: number;
  wins: number;
}

export interface LearningGraphView {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

/**
 * The learning graph as nodes and edges: one node per decision point that has candidates, one
 * per (decision point, answer) arm, and an edge from each point to each of its arms.
 */
export function learningGraphView(graph: LearningGraphSnapshot): LearningGraphView {
  const responseText = new Map(graph.responses.map((r) => [r.id, r.text]));
  const armsByPoint = new Map<string, ArmStats[]>();
  for (const a of graph.arms) armsByPoint.set(a.objectionId, [...(armsByPoint.get(a.objectionId) ?? []), a]);
  const total = (arms: ArmStats[], key: 'trials' | 'wins') => arms.reduce((n, a) => n + a[key], 0);
  const armId = (a: ArmStats) => `${a.objectionId}→${a.responseId}`;
  return {
    nodes: [
      ...graph.objections
        .filter((o) => armsByPoint.has(o.id))
        .map((o) => {
          const arms = armsByPoint.get(o.id)!;
          return {
            id: o.id,
            title: o.label,
            subTitle: 'decision point',
            trials: total(arms, 'trials'),
            wins: total(arms, 'wins'),
          };
        }),
      ...graph.arms.map((a) => ({
        id: armId(a),
        title: a.responseId,
        subTitle: responseText.get(a.responseId) ?? '',
        trials: a.trials,
        wins: a.wins,
      })),
    ],
    edges: graph.arms.map((a) => ({
      id: `edge:${armId(a)}`,
      source: a.objectionId,
      target: armId(a),
      trials: a.trials,
      wins: a.wins,
    })),
  };
}
