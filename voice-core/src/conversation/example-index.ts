import type { VectorItem, VectorMatch } from '../domain';

/**
 * The playbook's intent examples in memory, searched by brute force: a few hundred vectors,
 * so a query is a fraction of a millisecond, where a round trip to the vector store on every
 * prospect turn cost each call a dozen HTTP requests. Same order as the vector store's
 * `query`: cosine distance, then id.
 */
export class ExampleIndex {
  private readonly items: ReadonlyArray<{ item: VectorItem; unit: Float64Array }>;

  constructor(items: VectorItem[]) {
    this.items = items.map((item) => ({ item, unit: unitVector(item.embedding) }));
  }

  get size(): number {
    return this.items.length;
  }

  nearest(embedding: number[], k: number): VectorMatch[] {
    const query = unitVector(embedding);
    return this.items
      .map(({ item, unit }) => ({
        id: item.id,
        document: item.document,
        metadata: item.metadata,
        distance: 1 - dot(query, unit),
      }))
      .sort((a, b) => a.distance - b.distance || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .slice(0, k);
  }
}

function unitVector(v: number[]): Float64Array {
  const norm = Math.hypot(...v);
  return Float64Array.from(v, (x) => (norm === 0 ? 0 : x / norm));
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}
