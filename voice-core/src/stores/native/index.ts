import type { CallStateStore, CallStore, LearningGraph, StoreName, TranscriptStore, VectorStore } from '../../ports';
import { StoreError } from '../../ports';
import { errorMessage } from '../health';
import { ChromaVectorStore, type ChromaOptions } from './chroma';
import { MongoTranscriptStore, type MongoOptions } from './mongodb';
import { Neo4jLearningGraph, type Neo4jOptions } from './neo4j';
import { PostgresCallStore, type PostgresOptions } from './postgres';
import { RedisCallStateStore, type RedisOptions } from './redis';

export { ChromaVectorStore, MongoTranscriptStore, Neo4jLearningGraph, PostgresCallStore, RedisCallStateStore };
export type { ChromaOptions, MongoOptions, Neo4jOptions, PostgresOptions, RedisOptions };

export interface NativeStoreOptions {
  postgres?: PostgresOptions;
  mongodb?: MongoOptions;
  neo4j?: Neo4jOptions;
  chroma?: ChromaOptions;
  redis?: RedisOptions;
}

interface NativeAdapterByStore {
  postgres: CallStore;
  mongodb: TranscriptStore;
  neo4j: LearningGraph;
  chroma: VectorStore;
  redis: CallStateStore;
}

const OPENERS: { [S in StoreName]: (options: NonNullable<NativeStoreOptions[S]>) => Promise<NativeAdapterByStore[S]> } =
  {
    postgres: (o) => PostgresCallStore.open(o),
    mongodb: (o) => MongoTranscriptStore.open(o),
    neo4j: (o) => Neo4jLearningGraph.open(o),
    chroma: (o) => ChromaVectorStore.open(o),
    redis: (o) => RedisCallStateStore.open(o),
  };

/**
 * The native adapter of `store` when it is configured, else null (the embedded one serves).
 * An unreachable server fails start-up with an error naming the store and where it was looked for.
 */
export async function openNativeAdapter<S extends StoreName>(
  store: S,
  options: NativeStoreOptions,
): Promise<NativeAdapterByStore[S] | null> {
  const settings = options[store];
  if (!settings) return null;
  try {
    return await OPENERS[store](settings as never);
  } catch (err) {
    throw new StoreError(store, `cannot open ${describeTarget(settings)}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The server address without credentials, for error messages. */
function describeTarget(settings: object): string {
  const raw = Object.values(settings).find((v): v is string => typeof v === 'string' && v.includes('://')) ?? 'server';
  try {
    const url = new URL(raw);
    url.username = '';
    url.password = '';
    return url.toString();
  } catch {
    return 'server';
  }
}
