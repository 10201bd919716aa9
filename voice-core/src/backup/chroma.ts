import { join } from 'node:path';
import { ChromaClient, type Collection, type Metadata } from 'chromadb';
import { JsonlArchiveWriter, readJsonlArchive } from './archive';
import { canonicalJson, ContentDigest, finishDatasetCheck } from './digest';
import type { DatasetEntry, ManifestSection } from './manifest';
import type { BackupContext, DatasetDigest, ProgressSink, RestoreContext, StoreBackup } from './types';

const PAGE = 500;
/** Chroma returns embeddings re-normalised/re-rounded at the last float32 bit; compare within this. */
const EMBEDDING_TOLERANCE = 1e-6;

/**
 * What the content digest covers: id, document, metadata exactly, and the embedding's
 * dimension. Chroma does not give embeddings back bit-for-bit (a stored vector read, written and
 * read again can move by one float32 ulp), so embeddings are compared value by value against
 * the archive after a restore, within EMBEDDING_TOLERANCE (see checkEmbeddings).
 */
const digestLine = (item: ItemLine): string =>
  canonicalJson({ ...item, embedding: item.embedding === null ? null : item.embedding.length });

interface ItemLine {
  id: string;
  embedding: number[] | null;
  document: string | null;
  metadata: Metadata | null;
}

/** What the digest covers of one archive line: verify checks the archive against the manifest. */
export const archiveDigestLine = (line: string): string => digestLine(JSON.parse(line) as ItemLine);

/** Collection settings a restore must give back: the distance space and the metadata. */
interface CollectionMeta {
  space: string | null;
  metadata: Record<string, unknown> | null;
}

function settingsOf(col: Collection): CollectionMeta {
  const config = (col.configuration ?? {}) as { hnsw?: { space?: string } | null; spann?: { space?: string } | null };
  return {
    space: config.hnsw?.space ?? config.spann?.space ?? null,
    metadata: (col.metadata as Record<string, unknown> | undefined) ?? null,
  };
}

/**
 * Chroma (the vector role): for every collection, ids, embeddings (as stored, float32),
 * documents and metadata, paged with limit/offset; the collection's space and metadata in
 * the manifest. Embeddings are always given explicitly, as the adapter does.
 */
export class ChromaStoreBackup implements StoreBackup {
  readonly name = 'chroma' as const;

  private constructor(private readonly client: ChromaClient) {}

  static async open(options: { host: string; tenant?: string; database?: string }): Promise<ChromaStoreBackup> {
    const url = new URL(options.host);
    const client = new ChromaClient({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 8000,
      ssl: url.protocol === 'https:',
      tenant: options.tenant,
      database: options.database,
    });
    await client.heartbeat();
    return new ChromaStoreBackup(client);
  }

  private async collections(): Promise<Collection[]> {
    const out: Collection[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.client.listCollections({ limit: 100, offset });
      out.push(...page);
      if (page.length < 100) break;
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  private async forEachItem(col: Collection, onItem: (item: ItemLine) => Promise<void> | void): Promise<void> {
    for (let offset = 0; ; offset += PAGE) {
      const page = await col.get({ limit: PAGE, offset, include: ['embeddings', 'documents', 'metadatas'] as never });
      for (let i = 0; i < page.ids.length; i += 1) {
        const embedding = page.embeddings?.[i];
        await onItem({
          id: page.ids[i]!,
          embedding: embedding ? Array.from(embedding) : null,
          document: page.documents?.[i] ?? null,
          metadata: (page.metadatas?.[i] as Metadata | null | undefined) ?? null,
        });
      }
      if (page.ids.length < PAGE) break;
    }
  }

  async backup(ctx: BackupContext): Promise<ManifestSection> {
    const startedAt = new Date().toISOString();
    const datasets: DatasetEntry[] = [];
    const files = [];
    for (const col of await this.collections()) {
      const total = await col.count();
      const rel = `chroma/${encodeURIComponent(col.name)}.jsonl.gz`;
      const writer = await JsonlArchiveWriter.create(join(ctx.dir, rel), rel);
      const digest = new ContentDigest();
      await this.forEachItem(col, async (item) => {
        digest.add(digestLine(item));
        await writer.write(canonicalJson(item));
        if (digest.count % PAGE === 0)
          ctx.progress({ phase: 'backup', store: this.name, dataset: col.name, done: digest.count, total });
      });
      files.push(await writer.close());
      ctx.progress({ phase: 'backup', store: this.name, dataset: col.name, done: digest.count, total, finished: true });
      datasets.push({
        name: col.name,
        records: digest.count,
        digest: digest.hex(),
        file: rel,
        meta: { ...settingsOf(col) },
      });
    }
    return {
      store: this.name,
      method: 'logical',
      startedAt,
      finishedAt: new Date().toISOString(),
      datasets,
      files,
      schema: {},
    };
  }

  async nonEmptyDatasets(): Promise<string[]> {
    const out: string[] = [];
    for (const col of await this.collections()) if ((await col.count()) > 0) out.push(col.name);
    return out;
  }

  async restore(section: ManifestSection, ctx: RestoreContext): Promise<void> {
    if (ctx.wipe) for (const col of await this.collections()) await this.client.deleteCollection({ name: col.name });
    const maxBatch = Math.min(PAGE, await this.client.getMaxBatchSize());
    for (const ds of section.datasets) {
      const meta = (ds.meta ?? {}) as Partial<CollectionMeta>;
      const col = await this.client.getOrCreateCollection({
        name: ds.name,
        embeddingFunction: null,
        ...(meta.space ? { configuration: { hnsw: { space: meta.space as 'cosine' } } } : {}),
        ...(meta.metadata ? { metadata: meta.metadata as Metadata } : {}),
      });
      let batch: ItemLine[] = [];
      let done = 0;
      const flush = async (): Promise<void> => {
        if (batch.length === 0) return;
        await col.add({
          ids: batch.map((i) => i.id),
          embeddings: batch.map((i) => i.embedding ?? []),
          documents: batch.map((i) => i.document) as string[],
          metadatas: batch.map((i) => i.metadata) as Metadata[],
        });
        done += batch.length;
        batch = [];
        ctx.progress({ phase: 'restore', store: this.name, dataset: ds.name, done, total: ds.records });
      };
      for await (const line of readJsonlArchive(join(ctx.dir, ds.file!))) {
        batch.push(JSON.parse(line) as ItemLine);
        if (batch.length >= maxBatch) await flush();
      }
      await flush();
      ctx.progress({ phase: 'restore', store: this.name, dataset: ds.name, done, total: ds.records, finished: true });
    }
  }

  async digests(section: ManifestSection, progress: ProgressSink, dir?: string): Promise<DatasetDigest[]> {
    const existing = new Map((await this.collections()).map((c) => [c.name, c]));
    const out: DatasetDigest[] = [];
    for (const ds of section.datasets) {
      const digest = new ContentDigest();
      const col = existing.get(ds.name);
      if (col) await this.forEachItem(col, (item) => digest.add(digestLine(item)));
      if (col && dir && ds.file) await checkEmbeddings(col, join(dir, ds.file));
      out.push(finishDatasetCheck(progress, this.name, ds, digest));
    }
    return out;
  }

  async close(): Promise<void> {
    // The HTTP client holds no connection to close.
  }
}

/** Every archived embedding against the stored one, a page of ids at a time (memory flat). */
async function checkEmbeddings(col: Collection, archive: string): Promise<void> {
  let page: ItemLine[] = [];
  const flush = async (): Promise<void> => {
    if (page.length === 0) return;
    const got = await col.get({ ids: page.map((i) => i.id), include: ['embeddings'] as never });
    const byId = new Map(got.ids.map((id, i) => [id, got.embeddings?.[i]]));
    for (const item of page) {
      const stored = byId.get(item.id);
      const want = item.embedding ?? [];
      const have = stored ? Array.from(stored) : [];
      const bad =
        have.length !== want.length ||
        want.some((v, i) => Math.abs(v - have[i]!) > EMBEDDING_TOLERANCE * Math.max(1, Math.abs(v)));
      if (bad) throw new Error(`chroma/${col.name}: embedding of ${item.id} differs from the backup`);
    }
    page = [];
  };
  for await (const line of readJsonlArchive(archive)) {
    page.push(JSON.parse(line) as ItemLine);
    if (page.length >= PAGE) await flush();
  }
  await flush();
}
