import type { BeastModeSkill } from './calls';

export interface ObjectionNode {
  id: string;
  label: string;
}

export interface ResponseNode {
  id: string;
  text: string;
  skill: Exclude<BeastModeSkill, 'overall'>;
}

/** Win/loss record of one candidate response for one objection: a bandit arm. */
export interface ArmStats {
  objectionId: string;
  responseId: string;
  wins: number;
  trials: number;
}

export interface PairUsed {
  objectionId: string;
  responseId: string;
}

export interface LearningGraphSnapshot {
  objections: ObjectionNode[];
  responses: ResponseNode[];
  arms: ArmStats[];
}
