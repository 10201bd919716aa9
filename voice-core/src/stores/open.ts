import type { Registry } from 'prom-client';
import type { StoreAdapter, StoreHealth, Stores } from '../ports';
import { instrumentStore } from '../metrics/store-metrics';
import { EmbeddedDatabase } from './embedded/database';
import { EmbeddedLearningGraph } from './embedded/learning-graph';
import { EmbeddedTranscriptStore } from './embedded/transcript-store';
import { EmbeddedVectorStore } from './embedded/vector-store';
import { EmbeddedCallStateStore } from './embedded/call-state-store';
import { openNativeAdapter, type NativeStoreOptions } from './native';
import { SqlCallStore } from './sql/call-store';

export type StoreAdapters = Omit<Stores, 'health' | 'close' | 'analytics'>;

/**
 * Which adapter serves each role: a role with native settings uses its real server,
 * every other role the embedded adapter (PGlite in `dataDir`, or in memory when null).
 */
export interface StoreOptions extends NativeStoreOptions {
  dataDir: string | null;
}

/** Opens every store on the embedded adapters (one PGlite database in `dataDir`). */
export async function openEmbeddedStores(options: { dataDir: string | null }): Promise<StoreAdapters> {
  const db = await EmbeddedDatabase.open(options.dataDir);
  return {
    calls: new SqlCallStore('embedded', db, db, db.retain()),
    transcripts: new EmbeddedTranscriptStore(db, db.retain()),
    graph: new EmbeddedLearningGraph(db, db.retain()),
    vectors: new EmbeddedVectorStore(db, db.retain()),
    state: new EmbeddedCallStateStore(db, db.retain()),
  };
}

export async function openStores(options: StoreOptions, registry: Registry): Promise<Stores> {
  const opened: StoreAdapter[] = [];
  try {
    const native = {
      calls: await track(opened, openNativeAdapter('postgres', options)),
      transcripts: await track(opened, openNativeAdapter('mongodb', options)),
      graph: await track(opened, openNativeAdapter('neo4j', options)),
      vectors: await track(opened, openNativeAdapter('chroma', options)),
      state: await track(opened, openNativeAdapter('redis', options)),
    };
    const needsEmbedded = Object.values(native).some((a) => a === null);
    const embedded = needsEmbedded ? await openEmbeddedStores(options) : null;
    if (embedded) {
      // Release the embedded adapters that a native one replaces, so PGlite closes with the rest.
      for (const role of ['calls', 'transcripts', 'graph', 'vectors', 'state'] as const) {
        if (native[role]) await embedded[role].close();
      }
    }
    return bundleStores(
      {
        calls: native.calls ?? embedded!.calls,
        transcripts: native.transcripts ?? embedded!.transcripts,
        graph: native.graph ?? embedded!.graph,
        vectors: native.vectors ?? embedded!.vectors,
        state: native.state ?? embedded!.state,
      },
      registry,
    );
  } catch (err) {
    await Promise.allSettled(opened.map((a) => a.close()));
    throw err;
  }
}

async function track<T extends StoreAdapter>(opened: StoreAdapter[], pending: Promise<T | null>): Promise<T | null> {
  const adapter = await pending;
  if (adapter) opened.push(adapter);
  return adapter;
}

/** Adds metrics to each adapter and the bundle-level health/close. */
export function bundleStores(adapters: StoreAdapters, registry: Registry): Stores {
  const all: StoreAdapter[] = [adapters.calls, adapters.transcripts, adapters.graph, adapters.vectors, adapters.state];
  // One probe round at a time per process: /readyz from every load balancer and kubelet, and
  // each Prometheus scrape, share the round in flight instead of each queueing its own probes
  // on the stores (a store with a one-connection probe pool would serve them one by one, and
  // under load the queue outgrows the probe timeout: every replica not ready at once).
  let probing: Promise<StoreHealth[]> | null = null;
  const health = (): Promise<StoreHealth[]> =>
    (probing ??= Promise.all(all.map((a) => a.health())).finally(() => {
      probing = null;
    }));
  return {
    calls: instrumentStore(adapters.calls, registry),
    analytics: instrumentStore(adapters.calls.analytics(), registry),
    transcripts: instrumentStore(adapters.transcripts, registry),
    graph: instrumentStore(adapters.graph, registry),
    vectors: instrumentStore(adapters.vectors, registry),
    state: instrumentStore(adapters.state, registry),
    health,
    close: async () => {
      // Close them all even if one fails, then report the first failure.
      const results = await Promise.allSettled(all.map((a) => a.close()));
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
