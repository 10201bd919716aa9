import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import type { ArmStats, LearningGraphSnapshot, ObjectionNode, PairUsed, ResponseNode } from '../../domain';
import type { LearningGraph, StoreHealth } from '../../ports';
import { GroupCommit } from '../../util/group-commit';
import { uniquePairs } from '../pairs';
import { probeHealth } from '../health';

interface CreditRequest {
  creditId: string;
  pairs: PairUsed[];
  won: boolean;
}

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

  /**
   * Credits of concurrent calls share one transaction. Each credit took its own, and a thousand
   * calls ending together queued on the locks of the same few dozen relationships: Neo4j spent
   * up to a core spinning on them (bench webhooks). One transaction in flight per replica, its
   * increments summed per pair, keeps the marker and the counts atomic, so still exactly once.
   */
  private readonly credits = new GroupCommit<CreditRequest, boolean>((batch) => this.creditBatch(batch));

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

  credit(creditId: string, pairs: PairUsed[], won: boolean): Promise<boolean> {
    return this.credits.submit({ creditId, pairs, won });
  }

  /** One transaction: a `(:Credit)` marker per call (MERGE under its constraint), then the sums. */
  private creditBatch(batch: CreditRequest[]): Promise<boolean[]> {
    // A call submitted twice in one batch is credited by its first copy only.
    const firstOf = new Map<string, CreditRequest>();
    for (const c of batch) if (!firstOf.has(c.creditId)) firstOf.set(c.creditId, c);
    return this.write(async (tx) => {
      const markers = await tx.run(
        `UNWIND $ids AS id
         MERGE (c:Credit {id: id}) ON CREATE SET c.fresh = true
         WITH id, c, c.fresh AS fresh REMOVE c.fresh RETURN id, fresh`,
        // Sorted: two replicas' batches with a call in common lock its marker in the same order.
        { ids: [...firstOf.keys()].sort() },
      );
      const fresh = new Set(markers.records.filter((r) => r.get('fresh') === true).map((r) => r.get('id') as string));
      const sums = sumPairs([...firstOf.values()].filter((c) => fresh.has(c.creditId)));
      if (sums.length > 0) {
        await tx.run(
          `UNWIND $sums AS p
           MERGE (o:Objection {id: p.objectionId})
           MERGE (r:Response {id: p.responseId})
           MERGE (o)-[a:ANSWERED_BY]->(r) ON CREATE SET a.wins = 0, a.trials = 0
           SET a.trials = a.trials + p.trials, a.wins = a.wins + p.wins`,
          { sums },
        );
      }
      return batch.map((c) => firstOf.get(c.creditId) === c && fresh.has(c.creditId));
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

/** Trials and wins per (decision point → answer) pair over several credits, in a stable lock order. */
function sumPairs(credits: CreditRequest[]): Array<PairUsed & { trials: number; wins: number }> {
  const sums = new Map<string, PairUsed & { trials: number; wins: number }>();
  for (const c of credits) {
    for (const pair of uniquePairs(c.pairs)) {
      const key = `${pair.objectionId} ${pair.responseId}`;
      const sum = sums.get(key) ?? { objectionId: pair.objectionId, responseId: pair.responseId, trials: 0, wins: 0 };
      sum.trials += 1;
      sum.wins += c.won ? 1 : 0;
      sums.set(key, sum);
    }
  }
  // A stable lock order keeps the replicas' concurrent credit transactions from deadlocking.
  return [...sums.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, sum]) => sum);
}
