import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import type { ArmStats, LearningGraphSnapshot, ObjectionNode, PairUsed, ResponseNode } from '../../domain';
import type { LearningGraph, StoreHealth } from '../../ports';
import { uniquePairs } from '../pairs';
import { probeHealth } from '../health';

export interface Neo4jOptions {
  uri: string;
  user?: string;
  password?: string;
  database?: string;
}

const CONSTRAINTS = [
  'CREATE CONSTRAINT objection_id IF NOT EXISTS FOR (o:Objection) REQUIRE o.id IS UNIQUE',
  'CREATE CONSTRAINT response_id IF NOT EXISTS FOR (r:Response) REQUIRE r.id IS UNIQUE',
  'CREATE CONSTRAINT credit_id IF NOT EXISTS FOR (c:Credit) REQUIRE c.id IS UNIQUE',
];

/**
 * Neo4j-role adapter: `(:Objection)-[:ANSWERED_BY {wins, trials}]->(:Response)`, and a
 * `(:Credit {id})` node per credited call so crediting is exactly-once.
 */
export class Neo4jLearningGraph implements LearningGraph {
  readonly store = 'neo4j' as const;
  readonly kind = 'native' as const;

  private constructor(
    private readonly driver: Driver,
    private readonly database: string | undefined,
  ) {}

  static async open(options: Neo4jOptions): Promise<Neo4jLearningGraph> {
    const auth = options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined;
    const driver = neo4j.driver(options.uri, auth, {
      disableLosslessIntegers: true,
      connectionAcquisitionTimeout: 5000,
      connectionTimeout: 3000,
      maxTransactionRetryTime: 5000,
    });
    const graph = new Neo4jLearningGraph(driver, options.database);
    try {
      await driver.verifyConnectivity();
      for (const statement of CONSTRAINTS) await graph.write((tx) => tx.run(statement));
      return graph;
    } catch (err) {
      await driver.close();
      throw err;
    }
  }

  private write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.withSession((s) => s.executeWrite(work));
  }

  private read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.withSession((s) => s.executeRead(work));
  }

  private async withSession<T>(fn: (s: ReturnType<Driver['session']>) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database });
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  }

  async upsertObjection(o: ObjectionNode): Promise<void> {
    await this.write((tx) => tx.run('MERGE (o:Objection {id: $id}) SET o.label = $label', o));
  }

  async upsertResponse(r: ResponseNode): Promise<void> {
    await this.write((tx) => tx.run('MERGE (r:Response {id: $id}) SET r.text = $text, r.skill = $skill', r));
  }

  async linkCandidate(objectionId: string, responseId: string): Promise<void> {
    await this.write((tx) =>
      tx.run(
        `MATCH (o:Objection {id: $objectionId}), (r:Response {id: $responseId})
         MERGE (o)-[a:ANSWERED_BY]->(r) ON CREATE SET a.wins = 0, a.trials = 0`,
        { objectionId, responseId },
      ),
    );
  }

  async getArms(objectionId: string): Promise<ArmStats[]> {
    const result = await this.read((tx) =>
      tx.run(
        `MATCH (o:Objection {id: $objectionId})-[a:ANSWERED_BY]->(r:Response)
         RETURN o.id AS objectionId, r.id AS responseId, a.wins AS wins, a.trials AS trials ORDER BY r.id`,
        { objectionId },
      ),
    );
    return result.records.map((rec) => rec.toObject() as ArmStats);
  }

  async credit(creditId: string, pairs: PairUsed[], won: boolean): Promise<boolean> {
    // A stable lock order keeps concurrent credits of overlapping pairs from deadlocking.
    const ordered = uniquePairs(pairs).sort((a, b) =>
      `${a.objectionId} ${a.responseId}`.localeCompare(`${b.objectionId} ${b.responseId}`),
    );
    return this.write(async (tx) => {
      // MERGE under the uniqueness constraint: exactly one concurrent transaction creates the node.
      const marker = await tx.run(
        'MERGE (c:Credit {id: $creditId}) ON CREATE SET c.fresh = true WITH c, c.fresh AS fresh REMOVE c.fresh RETURN fresh',
        { creditId },
      );
      if (marker.records[0]?.get('fresh') !== true) return false;
      if (ordered.length === 0) return true;
      await tx.run(
        `UNWIND $pairs AS p
         MERGE (o:Objection {id: p.objectionId})
         MERGE (r:Response {id: p.responseId})
         MERGE (o)-[a:ANSWERED_BY]->(r) ON CREATE SET a.wins = 0, a.trials = 0
         SET a.trials = a.trials + 1, a.wins = a.wins + $win`,
        { pairs: ordered, win: won ? 1 : 0 },
      );
      return true;
    });
  }

  async snapshot(): Promise<LearningGraphSnapshot> {
    return this.read(async (tx) => {
      const objections = await tx.run('MATCH (o:Objection) RETURN o.id AS id, o.label AS label ORDER BY o.id');
      const responses = await tx.run(
        'MATCH (r:Response) RETURN r.id AS id, r.text AS text, r.skill AS skill ORDER BY r.id',
      );
      const arms = await tx.run(
        `MATCH (o:Objection)-[a:ANSWERED_BY]->(r:Response)
         RETURN o.id AS objectionId, r.id AS responseId, a.wins AS wins, a.trials AS trials ORDER BY o.id, r.id`,
      );
      return {
        objections: objections.records.map((r) => r.toObject() as ObjectionNode),
        responses: responses.records.map((r) => r.toObject() as ResponseNode),
        arms: arms.records.map((r) => r.toObject() as ArmStats),
      };
    });
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.read((tx) => tx.run('RETURN 1')));
  }

  async close(): Promise<void> {
    await this.driver.close();
  }
}
