import type { VectorItem, VectorMatch } from '../domain';
import type { StoreAdapter } from './store';

/** Chroma role: embeddings of objections, utterances and responses, by collection. */
export interface VectorStore extends StoreAdapter {
  /** Inserts or replaces items by id. */
  upsert(collection: string, items: VectorItem[]): Promise<void>;
  /** The `k` nearest items by cosine distance, nearest first; empty for an unknown collection. */
  query(collection: string, embedding: number[], k: number): Promise<VectorMatch[]>;
  get(collection: string, id: string): Promise<VectorItem | null>;
  count(collection: string): Promise<number>;
}
