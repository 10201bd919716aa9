import type { ArmStats, LearningGraphSnapshot, ObjectionNode, PairUsed, ResponseNode } from '../../domain';
import type { LearningGraph, StoreHealth } from '../../ports';
import type { SqlExecutor } from '../sql/executor';
import { probeHealth } from '../health';
import { uniquePairs } from '../pairs';

/** Neo4j role on PGlite: nodes and ANSWERED_BY edges as tables. */
export class EmbeddedLearningGraph implements LearningGraph {
  readonly store = 'neo4j' as const;
  readonly kind = 'embedded' as const;

  constructor(
    private readonly db: SqlExecutor,
    private readonly onClose: () => Promise<void>,
  ) {}

  async upsertObjection(o: ObjectionNode): Promise<void> {
    await this.db.query(
      'insert into graph_objections (id, label) values ($1, $2) on conflict (id) do update set label = excluded.label',
      [o.id, o.label],
    );
  }

  async upsertResponse(r: ResponseNode): Promise<void> {
    await this.db.query(
      `insert into graph_responses (id, text, skill) values ($1, $2, $3)
       on conflict (id) do update set text = excluded.text, skill = excluded.skill`,
      [r.id, r.text, r.skill],
    );
  }

  async linkCandidate(objectionId: string, responseId: string): Promise<void> {
    await this.db.query('insert into graph_arms (objection_id, response_id) values ($1, $2) on conflict do nothing', [
      objectionId,
      responseId,
    ]);
  }

  async getArms(objectionId: string): Promise<ArmStats[]> {
    const { rows } = await this.db.query(
      'select objection_id, response_id, wins, trials from graph_arms where objection_id = $1 order by response_id',
      [objectionId],
    );
    return rows.map(toArm);
  }

  async credit(creditId: string, pairs: PairUsed[], won: boolean): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query(
        'insert into graph_credits (credit_id) values ($1) on conflict do nothing returning credit_id',
        [creditId],
      );
      if (rows.length === 0) return false;
      for (const pair of uniquePairs(pairs)) {
        await tx.query(
          `insert into graph_arms (objection_id, response_id, wins, trials) values ($1, $2, $3, 1)
           on conflict (objection_id, response_id) do update
           set wins = graph_arms.wins + excluded.wins, trials = graph_arms.trials + 1`,
          [pair.objectionId, pair.responseId, won ? 1 : 0],
        );
      }
      return true;
    });
  }

  async snapshot(): Promise<LearningGraphSnapshot> {
    const [objections, responses, arms] = await Promise.all([
      this.db.query<ObjectionNode>('select id, label from graph_objections order by id'),
      this.db.query<ResponseNode>('select id, text, skill from graph_responses order by id'),
      this.db.query(
        'select objection_id, response_id, wins, trials from graph_arms order by objection_id, response_id',
      ),
    ]);
    return { objections: objections.rows, responses: responses.rows, arms: arms.rows.map(toArm) };
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.db.query('select 1 from graph_arms limit 1'));
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

function toArm(r: Record<string, unknown>): ArmStats {
  return {
    objectionId: String(r.objection_id),
    responseId: String(r.response_id),
    wins: Number(r.wins),
    trials: Number(r.trials),
  };
}
