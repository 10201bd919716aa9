import { ChromaClient, ChromaNotFoundError, type Collection } from 'chromadb';
import type { VectorItem, VectorMatch, VectorMetadata } from '../../domain';
import type { StoreHealth, VectorStore } from '../../ports';
import { probeHealth } from '../health';

export interface ChromaOptions {
  /** Server URL, e.g. http://127.0.0.1:8000 */
  host: string;
}

/**
 * Chroma-role adapter. Embeddings are always passed in (embeddingFunction: null): Chroma's
 * default embedding function downloads a model, which production must not depend on.
 */
export class ChromaVectorStore implements VectorStore {
  readonly store = 'chroma' as const;
  readonly kind = 'native' as const;
  private readonly collections = new Map<string, Promise<Collection>>();

  private constructor(private readonly client: ChromaClient) {}

  static async open(options: ChromaOptions): Promise<ChromaVectorStore> {
    const url = new URL(options.host);
    const client = new ChromaClient({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 8000,
      ssl: url.protocol === 'https:',
    });
    await client.heartbeat();
    return new ChromaVectorStore(client);
  }

  /** Creates on first write; cached so the hot path makes one request per operation. */
  private collection(name: string): Promise<Collection> {
    let pending = this.collections.get(name);
    if (!pending) {
      pending = this.client.getOrCreateCollection({
        name,
        embeddingFunction: null,
        configuration: { hnsw: { space: 'cosine' } },
      });
      pending.catch(() => this.collections.delete(name));
      this.collections.set(name, pending);
    }
    return pending;
  }

  /** For reads: an unknown collection is empty, and is not created by looking at it. */
  private async existing(name: string): Promise<Collection | null> {
    const cached = this.collections.get(name);
    if (cached) return cached;
    try {
      return await this.client.getCollection({ name });
    } catch (err) {
      if (err instanceof ChromaNotFoundError || /does not exist|not found/i.test((err as Error).message)) return null;
      throw err;
    }
  }

  async upsert(collection: string, items: VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    const col = await this.collection(collection);
    await col.upsert({
      ids: items.map((i) => i.id),
      embeddings: items.map((i) => i.embedding),
      documents: items.map((i) => i.document),
      metadatas: items.map((i) => (Object.keys(i.metadata).length > 0 ? i.metadata : null)) as VectorMetadata[],
    });
  }

  async query(collection: string, embedding: number[], k: number): Promise<VectorMatch[]> {
    const col = await this.existing(collection);
    if (!col) return [];
    const result = await col.query({
      queryEmbeddings: [embedding],
      nResults: k,
      include: ['documents', 'metadatas', 'distances'] as never,
    });
    const ids = result.ids[0] ?? [];
    return ids
      .map((id, i) => ({
        id,
        document: result.documents[0]?.[i] ?? '',
        metadata: (result.metadatas[0]?.[i] ?? {}) as VectorMetadata,
        distance: result.distances[0]?.[i] ?? Number.NaN,
      }))
      .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id));
  }

  async get(collection: string, id: string): Promise<VectorItem | null> {
    const col = await this.existing(collection);
    if (!col) return null;
    const result = await col.get({ ids: [id], include: ['embeddings', 'documents', 'metadatas'] as never });
    if (result.ids.length === 0) return null;
    return {
      id: result.ids[0]!,
      embedding: Array.from(result.embeddings[0] ?? []),
      document: result.documents[0] ?? '',
      metadata: (result.metadatas[0] ?? {}) as VectorMetadata,
    };
  }

  async count(collection: string): Promise<number> {
    const col = await this.existing(collection);
    return col ? col.count() : 0;
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.client.heartbeat());
  }

  async close(): Promise<void> {
    this.collections.clear();
  }
}
