import type { Registry } from 'prom-client';
import type { StoreAdapter, StoreHealth, Stores } from '../ports';
import { instrumentStore } from '../metrics/store-metrics';
import { EmbeddedDatabase } from './embedded/database';
import { EmbeddedLearningGraph } from './embedded/learning-graph';
import { EmbeddedTranscriptStore } from './embedded/transcript-store';
import { EmbeddedVectorStore } from './embedded/vector-store';
import { InMemoryCallStateStore } from './memory/call-state-store';
import { SqlCallStore } from './sql/call-store';

export { EmbeddedDatabase } from './embedded/database';
export { EmbeddedLearningGraph } from './embedded/learning-graph';
export { EmbeddedTranscriptStore } from './embedded/transcript-store';
export { EmbeddedVectorStore } from './embedded/vector-store';
export { InMemoryCallStateStore } from './memory/call-state-store';
export { SqlCallStore } from './sql/call-store';
export type { SqlExecutor, SqlQueryable } from './sql/executor';

export interface StoresConfig {
  /** Folder of the embedded database; null keeps it in memory (tests). */
  dataDir: string | null;
}

/** Opens every store on the embedded adapters (PGlite in `dataDir`, live state in process). */
export async function openEmbeddedStores(config: StoresConfig): Promise<Omit<Stores, 'health' | 'close'>> {
  const db = await EmbeddedDatabase.open(config.dataDir);
  return {
    calls: new SqlCallStore('embedded', db, db, db.retain()),
    transcripts: new EmbeddedTranscriptStore(db, db.retain()),
    graph: new EmbeddedLearningGraph(db, db.retain()),
    vectors: new EmbeddedVectorStore(db, db.retain()),
    state: new InMemoryCallStateStore(),
  };
}

/** Adds metrics to each adapter and the bundle-level health/close. */
export function bundleStores(adapters: Omit<Stores, 'health' | 'close'>, registry: Registry): Stores {
  const all: StoreAdapter[] = [adapters.calls, adapters.transcripts, adapters.graph, adapters.vectors, adapters.state];
  return {
    calls: instrumentStore(adapters.calls, registry),
    transcripts: instrumentStore(adapters.transcripts, registry),
    graph: instrumentStore(adapters.graph, registry),
    vectors: instrumentStore(adapters.vectors, registry),
    state: instrumentStore(adapters.state, registry),
    health: (): Promise<StoreHealth[]> => Promise.all(all.map((a) => a.health())),
    close: async () => {
      // Close them all even if one fails, then report the first failure.
      const results = await Promise.allSettled(all.map((a) => a.close()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
