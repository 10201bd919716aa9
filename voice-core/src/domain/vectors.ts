export type VectorMetadata = Record<string, string | number | boolean>;

export interface VectorItem {
  id: string;
  embedding: number[];
  document: string;
  metadata: VectorMetadata;
}

export interface VectorMatch {
  id: string;
  document: string;
  metadata: VectorMetadata;
  /** Cosine distance: 0 = same direction, 2 = opposite. */
  distance: number;
}
