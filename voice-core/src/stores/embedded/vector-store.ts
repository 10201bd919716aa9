import type { VectorItem, VectorMatch, VectorMetadata } from '../../domain';
import type { StoreHealth, VectorStore } from '../../ports';
import { fromVectorLiteral, toVectorLiteral, type SqlExecutor } from '../sql/executor';
import { parseJson } from '../sql/json';
import { probeHealth } from '../health';

/** Chroma role on PGlite + pgvector: cosine distance with the `<=>` operator. */
export class EmbeddedVectorStore implements VectorStore {
  readonly store = 'chroma' as const;
  readonly kind = 'embedded' as const;

  constructor(
    private readonly db: SqlExecutor,
    private readonly onClose: () => Promise<void>,
  ) {}

  async upsert(collection: string, items: VectorItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.transaction(async (tx) => {
      for (const item of items) {
        await tx.query(
          `insert into vector_items (collection, id, embedding, document, metadata) values ($1, $2, $3::vector, $4, $5)
           on conflict (collection, id) do update
           set embedding = excluded.embedding, document = excluded.document, metadata = excluded.metadata`,
          [collection, item.id, toVectorLiteral(item.embedding), item.document, JSON.stringify(item.metadata)],
        );
      }
    });
  }

  async query(collection: string, embedding: number[], k: number): Promise<VectorMatch[]> {
    const { rows } = await this.db.query(
      `select id, document, metadata, embedding <=> $2::vector as distance from vector_items
       where collection = $1 order by distance, id limit $3`,
      [collection, toVectorLiteral(embedding), k],
    );
    return rows.map((r) => ({
      id: String(r.id),
      document: String(r.document),
      metadata: parseJson(r.metadata) as VectorMetadata,
      distance: Number(r.distance),
    }));
  }

  async get(collection: string, id: string): Promise<VectorItem | null> {
    const { rows } = await this.db.query(
      'select id, embedding::text as embedding, document, metadata from vector_items where collection = $1 and id = $2',
      [collection, id],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      id: String(r.id),
      embedding: fromVectorLiteral(r.embedding),
      document: String(r.document),
      metadata: parseJson(r.metadata) as VectorMetadata,
    };
  }

  async count(collection: string): Promise<number> {
    const { rows } = await this.db.query('select count(*)::int as n from vector_items where collection = $1', [
      collection,
    ]);
    return Number(rows[0]?.n ?? 0);
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.db.query('select 1 from vector_items limit 1'));
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
