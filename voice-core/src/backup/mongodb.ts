import { join } from 'node:path';
import { BSON, MongoClient, type Db, type Document } from 'mongodb';
import { MongoTranscriptStore } from '../stores/native/mongodb';
import { JsonlArchiveWriter, readJsonlArchive } from './archive';
import { ContentDigest, finishDatasetCheck } from './digest';
import type { DatasetEntry, ManifestSection } from './manifest';
import type { BackupContext, DatasetDigest, ProgressSink, RestoreContext, StoreBackup } from './types';

const BATCH = 1000;
/** Canonical EJSON keeps every BSON type (ObjectId, Date, Int32 vs Double, …) exactly. */
const toLine = (doc: Document): string => BSON.EJSON.stringify(doc, { relaxed: false });
const fromLine = (line: string): Document => BSON.EJSON.parse(line, { relaxed: false }) as Document;

/**
 * MongoDB (the transcript role): every document of every collection of the database, as
 * canonical EJSON lines, read with a cursor per collection (memory flat).
 */
export class MongoStoreBackup implements StoreBackup {
  readonly name = 'mongodb' as const;

  private constructor(
    private readonly client: MongoClient,
    private readonly db: Db,
    private readonly options: { uri: string; database?: string },
  ) {}

  static async open(options: { uri: string; database?: string }): Promise<MongoStoreBackup> {
    const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: 5000, appName: 'voice-agent-backup' });
    await client.connect();
    return new MongoStoreBackup(client, client.db(options.database), options);
  }

  private async collections(): Promise<string[]> {
    const infos = await this.db.listCollections({}, { nameOnly: true }).toArray();
    return infos
      .filter((c) => (c.type ?? 'collection') === 'collection' && !c.name.startsWith('system.'))
      .map((c) => c.name)
      .sort();
  }

  async backup(ctx: BackupContext): Promise<ManifestSection> {
    const startedAt = new Date().toISOString();
    const datasets: DatasetEntry[] = [];
    const files = [];
    for (const name of await this.collections()) {
      const col = this.db.collection(name);
      const total = await col.countDocuments({});
      const indexes = await col.listIndexes().toArray();
      const rel = `mongodb/${name}.jsonl.gz`;
      const writer = await JsonlArchiveWriter.create(join(ctx.dir, rel), rel);
      const digest = new ContentDigest();
      for await (const doc of col.find({}, { batchSize: BATCH })) {
        const line = toLine(doc);
        digest.add(line);
        await writer.write(line);
        if (digest.count % BATCH === 0)
          ctx.progress({ phase: 'backup', store: this.name, dataset: name, done: digest.count, total });
      }
      files.push(await writer.close());
      ctx.progress({ phase: 'backup', store: this.name, dataset: name, done: digest.count, total, finished: true });
      datasets.push({
        name,
        records: digest.count,
        digest: digest.hex(),
        file: rel,
        meta: { indexes: indexes.map((i) => ({ name: i.name, key: i.key, unique: i.unique ?? false })) },
      });
    }
    return {
      store: this.name,
      method: 'logical',
      startedAt,
      finishedAt: new Date().toISOString(),
      datasets,
      files,
      schema: { database: this.db.databaseName },
    };
  }

  async nonEmptyDatasets(): Promise<string[]> {
    const out: string[] = [];
    for (const name of await this.collections()) {
      if ((await this.db.collection(name).countDocuments({}, { limit: 1 })) > 0) out.push(name);
    }
    return out;
  }

  async restore(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    // The adapter creates our indexes (unique (callId, seq), TTL or sweep index) as it does at start-up.
    const adapter = await MongoTranscriptStore.open({ uri: this.options.uri, database: this.options.database });
    await adapter.close();
    if (ctx.wipe) {
      for (const name of await this.collections()) await this.db.collection(name).deleteMany({});
    }
    for (const ds of section.datasets) {
      const col = this.db.collection(ds.name);
      let batch: Document[] = [];
      let done = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await col.insertMany(batch, { ordered: true });
        done += batch.length;
        batch = [];
        ctx.progress({ phase: 'restore', store: this.name, dataset: ds.name, done, total: ds.records });
      };
      for await (const line of readJsonlArchive(join(ctx.dir, ds.file!))) {
        batch.push(fromLine(line));
        if (batch.length >= BATCH) await flush();
      }
      await flush();
      ctx.progress({ phase: 'restore', store: this.name, dataset: ds.name, done, total: ds.records, finished: true });
    }
  }

  async digests(section: ManifestSection, progress: ProgressSink): Promise<DatasetDigest[]> {
    const out: DatasetDigest[] = [];
    for (const ds of section.datasets) {
      const digest = new ContentDigest();
      for await (const doc of this.db.collection(ds.name).find({}, { batchSize: BATCH })) {
        digest.add(toLine(doc));
        if (digest.count % BATCH === 0)
          progress({ phase: 'check', store: this.name, dataset: ds.name, done: digest.count, total: ds.records });
      }
      out.push(finishDatasetCheck(progress, this.name, ds, digest));
    }
    return out;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
