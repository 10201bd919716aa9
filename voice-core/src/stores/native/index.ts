import type { CallStateStore, CallStore, LearningGraph, StoreName, TranscriptStore, VectorStore } from '../../ports';
import { StoreError } from '../../ports';

export interface NativeStoreOptions {
  postgres?: { url: string; readReplicaUrl?: string; poolSize?: number; statementTimeoutMs?: number };
  mongodb?: { uri: string };
  neo4j?: { uri: string; user?: string; password?: string };
  chroma?: { host: string };
  redis?: { url: string };
}

interface NativeAdapterByStore {
  postgres: CallStore;
  mongodb: TranscriptStore;
  neo4j: LearningGraph;
  chroma: VectorStore;
  redis: CallStateStore;
}

/** The native adapter of `store` when it is configured, else null (the embedded one serves). */
export async function openNativeAdapter<S extends StoreName>(
  store: S,
  options: NativeStoreOptions,
): Promise<NativeAdapterByStore[S] | null> {
  if (!options[store]) return null;
  throw new StoreError(store, 'no native adapter is available in this build; unset its URL to use the embedded one');
}
