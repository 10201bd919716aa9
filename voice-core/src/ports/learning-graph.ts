import type { ArmStats, LearningGraphSnapshot, ObjectionNode, PairUsed, ResponseNode } from '../domain';
import type { StoreAdapter } from './store';

/** Neo4j role: objections, responses and the win/loss edges between them. */
export interface LearningGraph extends StoreAdapter {
  upsertObjection(objection: ObjectionNode): Promise<void>;
  upsertResponse(response: ResponseNode): Promise<void>;
  /** Makes `response` a candidate answer to `objection`; keeps existing statistics. */
  linkCandidate(objectionId: string, responseId: string): Promise<void>;
  /** Arms of one objection ordered by response id; empty for an unknown objection. */
  getArms(objectionId: string): Promise<ArmStats[]>;
  /**
   * Credits every pair with one trial (and one win when `won`), exactly once per `creditId`
   * (the call id); returns false when that id was already credited.
   */
  credit(creditId: string, pairs: PairUsed[], won: boolean): Promise<boolean>;
  snapshot(): Promise<LearningGraphSnapshot>;
}
