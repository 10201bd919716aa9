export * from './store';
export * from './call-store';
export * from './call-analytics';
export * from './transcript-store';
export * from './learning-graph';
export * from './vector-store';
export * from './call-state-store';

import type { CallAnalytics } from './call-analytics';
import type { CallStateStore } from './call-state-store';
import type { CallStore } from './call-store';
import type { LearningGraph } from './learning-graph';
import type { StoreHealth } from './store';
import type { TranscriptStore } from './transcript-store';
import type { VectorStore } from './vector-store';

/** Everything voice-core persists, one adapter per role. */
export interface Stores {
  calls: CallStore;
  /** Dashboard reads of the Postgres role (the read replica when one is configured). */
  analytics: CallAnalytics;
  transcripts: TranscriptStore;
  graph: LearningGraph;
  vectors: VectorStore;
  state: CallStateStore;
  health(): Promise<StoreHealth[]>;
  close(): Promise<void>;
}
