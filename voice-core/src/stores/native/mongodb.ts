import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Db } from 'mongodb';
import type { RawWebhook, TimeRange, TranscriptTurn, UnrecognisedUtterance } from '../../domain';
import type { StoreHealth, TranscriptStore } from '../../ports';
import { GroupCommit } from '../../util/group-commit';
import { probeHealth } from '../health';

export interface MongoOptions {
  uri: string;
  /** Database name when the URI names none. */
  database?: string;
  serverSelectionTimeoutMs?: number;
}

/** What the connected server can do; FerretDB (our test server) refuses TTL indexes. */
export interface MongoCapabilities {
  server: 'mongodb' | 'ferretdb';
  /** False: expired raw webhooks are removed only by `purgeExpiredWebhooks` sweeps. */
  ttlIndex: boolean;
}

/**
 * One document per turn, keyed `<callId>:<seq>` (FerretDB's updates of one shared document lose
 * concurrent writes, which the contract suite shows). Turns are inserted — concurrent appends
 * share one insertMany (group commit; each caller still waits for its own write) — and only a
 * turn written again (a redelivered event) becomes a replace. On FerretDB's SQLite backend an
 * upsert scans the collection (46 ms at 8 000 turns, growing with it) and every write is a
 * transaction on one file: per-turn upserts from three replicas made it the bottleneck of a
 * busy call floor. Reads of a transcript go through the {callId, seq} index on MongoDB.
 */
interface TurnDoc extends Omit<TranscriptTurn, 'startedAt' | 'endedAt'> {
  _id: string;
  startedAt: Date;
  endedAt: Date;
}

interface TurnWrite {
  doc: TurnDoc;
  /** appendTurn replaces an existing turn at the same key; insertTurn leaves it. */
  replace: boolean;
}

function turnDoc(turn: TranscriptTurn): TurnDoc {
  const _id = `${turn.callId}:${String(turn.seq).padStart(6, '0')}`;
  return { ...turn, _id, startedAt: new Date(turn.startedAt), endedAt: new Date(turn.endedAt) };
}

interface UnrecognisedDoc extends Omit<UnrecognisedUtterance, 'at'> {
  at: Date;
}

interface WebhookDoc {
  _id: string;
  receivedAt: Date;
  expiresAt: Date;
  payload: Record<string, unknown>;
}

const DUPLICATE_KEY = 11000;

/** Mongo-role adapter on the official driver. */
export class MongoTranscriptStore implements TranscriptStore {
  readonly store = 'mongodb' as const;
  readonly kind = 'native' as const;

  private readonly turnWrites = new GroupCommit<TurnWrite, boolean>((writes) => this.writeTurns(writes));

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    readonly capabilities: MongoCapabilities,
  ) {}

  private get turns(): Collection<TurnDoc> {
    return this.db.collection<TurnDoc>('transcript_turns');
  }

  private get webhooks(): Collection<WebhookDoc> {
    return this.db.collection<WebhookDoc>('raw_webhooks');
  }

  static async open(options: MongoOptions): Promise<MongoTranscriptStore> {
    const client = new MongoClient(options.uri, {
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 3000,
      connectTimeoutMS: 3000,
      appName: 'voice-agent-api',
    });
    try {
      await client.connect();
      const db = client.db(options.database);
      const ttlIndex = await ensureIndexes(db);
      return new MongoTranscriptStore(client, db, { server: await serverFlavour(db), ttlIndex });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
  }

  async appendTurn(turn: TranscriptTurn): Promise<void> {
    await this.turnWrites.submit({ doc: turnDoc(turn), replace: true });
  }

  insertTurn(turn: TranscriptTurn): Promise<boolean> {
    return this.turnWrites.submit({ doc: turnDoc(turn), replace: false });
  }

  /**
   * Inserts a batch of turns (the first write of each key); a key that exists already is
   * replaced for `appendTurn` and left alone for `insertTurn`. True per write that stored it.
   */
  private async writeTurns(writes: TurnWrite[]): Promise<boolean[]> {
    const firstOfKey = new Map<string, number>();
    writes.forEach((w, i) => firstOfKey.has(w.doc._id) || firstOfKey.set(w.doc._id, i));
    const inserting = [...firstOfKey.values()];
    const stored = writes.map(() => false);
    let failed = new Set<number>();
    try {
      await this.turns.insertMany(
        inserting.map((i) => writes[i]!.doc),
        { ordered: false },
      );
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError && isOnlyDuplicates(err))) throw err;
      failed = new Set(writeErrorsOf(err).map((e) => e.index));
    }
    inserting.forEach((i, k) => (stored[i] = !failed.has(k)));
    // Replacements in the order they were submitted: the last copy wins.
    for (const [i, w] of writes.entries()) {
      if (!w.replace || stored[i]) continue;
      await retryOnDuplicate(() => this.turns.replaceOne({ _id: w.doc._id }, w.doc, { upsert: true }));
      stored[i] = true;
    }
    return stored;
  }

  async getTranscript(callId: string): Promise<TranscriptTurn[]> {
    const docs = await this.turns.find({ callId }).sort({ seq: 1 }).toArray();
    return docs.map((d) => ({
      callId,
      seq: d.seq,
      speaker: d.speaker,
      text: d.text,
      startedAt: d.startedAt.toISOString(),
      endedAt: d.endedAt.toISOString(),
      confidence: d.confidence,
      intentId: d.intentId,
      latencyMs: d.latencyMs,
    }));
  }

  private get unrecognised(): Collection<UnrecognisedDoc> {
    return this.db.collection<UnrecognisedDoc>('unrecognised_utterances');
  }

  async saveUnrecognised(utterances: UnrecognisedUtterance[]): Promise<void> {
    if (utterances.length === 0) return;
    const docs = [...new Map(utterances.map((u) => [`${u.callId}:${u.seq}`, u])).values()];
    // Inserted (cheap everywhere); the ones already kept — {callId, seq} is unique — are replaced.
    let again: UnrecognisedUtterance[] = [];
    try {
      await this.unrecognised.insertMany(
        docs.map((u) => ({ ...u, at: new Date(u.at) })),
        { ordered: false },
      );
    } catch (err) {
      if (!(err instanceof MongoBulkWriteError && isOnlyDuplicates(err))) throw err;
      const failed = new Set(writeErrorsOf(err).map((e) => e.index));
      again = docs.filter((_, i) => failed.has(i));
    }
    if (again.length === 0) return;
    await this.unrecognised.bulkWrite(
      again.map((u) => ({
        replaceOne: {
          filter: { callId: u.callId, seq: u.seq },
          replacement: { ...u, at: new Date(u.at) },
          upsert: true,
        },
      })),
      { ordered: true },
    );
  }

  async listUnrecognised(range: TimeRange, limit: number): Promise<UnrecognisedUtterance[]> {
    const docs = await this.unrecognised
      .find({ at: { $gte: new Date(range.from), $lt: new Date(range.to) } }, { projection: { _id: 0 } })
      .sort({ at: -1, callId: 1, seq: 1 })
      .limit(limit)
      .toArray();
    return docs.map((d) => ({ ...d, at: d.at.toISOString() }));
  }

  async saveRawWebhooks(webhooks: RawWebhook[]): Promise<number> {
    if (webhooks.length === 0) return 0;
    const docs = [...new Map(webhooks.map((w) => [w.eventId, w])).values()].map((w) => ({
      _id: w.eventId,
      receivedAt: new Date(w.receivedAt),
      expiresAt: new Date(w.expiresAt),
      payload: w.payload,
    }));
    try {
      // Unordered: every new document is written even when some ids already exist.
      return (await this.webhooks.insertMany(docs, { ordered: false })).insertedCount;
    } catch (err) {
      if (err instanceof MongoBulkWriteError && isOnlyDuplicates(err)) return err.result.insertedCount;
      throw err;
    }
  }

  async getRawWebhook(eventId: string): Promise<RawWebhook | null> {
    const doc = await this.webhooks.findOne({ _id: eventId });
    if (!doc) return null;
    return {
      eventId: doc._id,
      receivedAt: doc.receivedAt.toISOString(),
      expiresAt: doc.expiresAt.toISOString(),
      payload: doc.payload,
    };
  }

  /** With a TTL index MongoDB also deletes on its own; this sweep works on any server. */
  async purgeExpiredWebhooks(now: string): Promise<number> {
    const result = await this.webhooks.deleteMany({ expiresAt: { $lte: new Date(now) } });
    return result.deletedCount;
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.db.command({ ping: 1 }));
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Creates the indexes idempotently. Returns whether the TTL index exists: a server that does
 * not implement TTL indexes gets a plain index on `expiresAt` for the sweep instead.
 */
async function ensureIndexes(db: Db): Promise<boolean> {
  await db.collection('transcript_turns').createIndex({ callId: 1, seq: 1 }, { name: 'call_seq' });
  await db.collection('unrecognised_utterances').createIndex({ callId: 1, seq: 1 }, { unique: true, name: 'call_seq' });
  await db.collection('unrecognised_utterances').createIndex({ at: -1 }, { name: 'at' });
  const webhooks = db.collection('raw_webhooks');
  try {
    await webhooks.createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0, name: 'expires_ttl' });
    return true;
  } catch (err) {
    if (!(err instanceof MongoServerError) || !/not implemented/i.test(err.message)) throw err;
    await webhooks.createIndex({ expiresAt: 1 }, { name: 'expires_sweep' });
    return false;
  }
}

async function serverFlavour(db: Db): Promise<MongoCapabilities['server']> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === 'string' ? 'ferretdb' : 'mongodb';
}

function writeErrorsOf(err: MongoBulkWriteError) {
  return Array.isArray(err.writeErrors) ? err.writeErrors : [err.writeErrors];
}

function isOnlyDuplicates(err: MongoBulkWriteError): boolean {
  const errors = writeErrorsOf(err);
  return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
}

/** Two concurrent upserts of a new key can both try to insert; the loser retries as an update. */
async function retryOnDuplicate<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof MongoServerError && err.code === DUPLICATE_KEY) return op();
    throw err;
  }
}
