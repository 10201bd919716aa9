export { EmbeddedDatabase } from './embedded/database';
export { EmbeddedLearningGraph } from './embedded/learning-graph';
export { EmbeddedTranscriptStore } from './embedded/transcript-store';
export { EmbeddedVectorStore } from './embedded/vector-store';
export { InMemoryCallStateStore } from './memory/call-state-store';
export { SqlCallStore } from './sql/call-store';
export type { SqlExecutor, SqlQueryable } from './sql/executor';
export { openStores, openEmbeddedStores, bundleStores, type StoreOptions, type StoreAdapters } from './open';
export * from './native';
