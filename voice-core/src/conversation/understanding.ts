import type { VectorItem } from '../domain';
import type { VectorStore } from '../ports';
import { ExampleIndex } from './example-index';
import { vectorCollection, type Embedder } from './embedder';
import type { IntentKind, Playbook } from './playbook';

export interface IntentScore {
  intentId: string;
  kind: IntentKind;
  /** Sum of the similarities of this intent's examples among the nearest neighbours. */
  votes: number;
  /** Cosine similarity of this intent's nearest example, 0–1. */
  similarity: number;
}

export interface Understanding {
  /** Intents among the nearest examples, best first. */
  ranked: IntentScore[];
  embedding: number[];
}

/** Nearest examples that vote on an utterance's intent (3 measured best on the simulator's corpus). */
const NEIGHBOURS = 3;

/**
 * Maps a prospect's words to known intents: every playbook example is an item of the
 * embedder's intent collection, tagged with its intent, and the nearest examples vote weighted
 * by similarity. The vector store (Chroma role) is the record of those items; turns are matched
 * against the same items held in memory, which change only with the playbook (a new process).
 */
export class IntentRecogniser {
  private readonly kinds: Map<string, IntentKind>;
  private readonly examples: VectorItem[];
  private readonly index: ExampleIndex;

  constructor(
    private readonly playbook: Playbook,
    private readonly vectors: VectorStore,
    readonly embedder: Embedder,
    /** Below this cosine similarity an utterance is "unrecognised". */
    readonly threshold = 0.3,
  ) {
    this.kinds = new Map(playbook.intents.map((i) => [i.id, i.kind]));
    this.examples = playbook.intents.flatMap((intent) =>
      intent.examples.map((example, i) => ({
        id: `${intent.id}:${i}`,
        embedding: embedder.embed(example),
        document: example,
        metadata: { intentId: intent.id, kind: intent.kind },
      })),
    );
    this.index = new ExampleIndex(this.examples);
  }

  /** Writes every example's embedding; ids are stable so re-seeding is idempotent. */
  async seed(): Promise<number> {
    await this.vectors.upsert(vectorCollection('intents', this.embedder), this.examples);
    return this.examples.length;
  }

  async understand(text: string): Promise<Understanding> {
    const embedding = this.embedder.embed(text);
    const nearest = this.index.nearest(embedding, NEIGHBOURS);
    const byIntent = new Map<string, IntentScore>();
    for (const match of nearest) {
      const intentId = String(match.metadata.intentId);
      const kind = this.kinds.get(intentId);
      if (!kind) continue;
      const similarity = Math.max(0, 1 - match.distance);
      const score = byIntent.get(intentId) ?? { intentId, kind, votes: 0, similarity: 0 };
      score.votes += similarity;
      score.similarity = Math.max(score.similarity, similarity);
      byIntent.set(intentId, score);
    }
    const ranked = [...byIntent.values()].sort((a, b) => b.votes - a.votes || a.intentId.localeCompare(b.intentId));
    return { ranked, embedding };
  }

  /** The best intent allowed in this context that clears the threshold, or null (unrecognised). */
  pick(understanding: Understanding, allowed: (kind: IntentKind) => boolean): IntentScore | null {
    return understanding.ranked.find((s) => allowed(s.kind) && s.similarity >= this.threshold) ?? null;
  }
}
