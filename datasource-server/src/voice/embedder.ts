import { HashedNgramEmbedder, type Embedder } from '@mwva/voice-core';

/**
 * The embedder of this deployment, made in one place. To plug in a sentence model, return it
 * here: every vector collection is named after the embedder, so vectors of two models never mix.
 */
export function createEmbedder(): Embedder {
  return new HashedNgramEmbedder();
}
