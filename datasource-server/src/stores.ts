import { openStores, type StoreOptions, type Stores } from '@mwva/voice-core';
import { join, resolve } from 'node:path';
import type { Registry } from 'prom-client';
import type { Env } from './config/env';

/** Maps the seed's environment variables onto store options: unset URL → embedded adapter. */
export function storeOptionsFromEnv(env: Env): StoreOptions {
  return {
    dataDir: join(resolve(env.DATA_DIR), 'pglite'),
    postgres: env.NEON_DATABASE_URL
      ? { url: env.NEON_DATABASE_URL, readReplicaUrl: env.NEON_READ_REPLICA_URL }
      : undefined,
    mongodb: env.MONGODB_URI ? { uri: env.MONGODB_URI } : undefined,
    neo4j: env.NEO4J_URI ? { uri: env.NEO4J_URI, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD } : undefined,
    chroma: env.CHROMA_HOST ? { host: env.CHROMA_HOST } : undefined,
    redis: env.REDIS_URL ? { url: env.REDIS_URL } : undefined,
  };
}

export function openStoresFromEnv(env: Env, registry: Registry): Promise<Stores> {
  return openStores(storeOptionsFromEnv(env), registry);
}
