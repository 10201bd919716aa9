/**
 * Turns text into a vector for nearest-intent search. Pluggable: the default works offline
 * and needs no model; a sentence-embedding model can implement the same interface (see README,
 * "Plugging in a sentence model").
 */
export interface Embedder {
  readonly name: string;
  readonly dimension: number;
  embed(text: string): number[];
}

/** What the vector store holds: playbook intent examples, every prospect turn, the turns nobody understood. */
export type VectorCollectionKind = 'intents' | 'utterances' | 'unrecognised';

/** One collection per embedder and kind: vectors of different models never meet. */
export function vectorCollection(kind: VectorCollectionKind, embedder: Pick<Embedder, 'name'>): string {
  return `${kind}.${embedder.name}`;
}

const STOPWORDS = new Set(
  'a an the and or but to of in on at for with is are was be been it its this that i me my we us our you your he she they them so do does did just can could would will shall should have has had im its theres there here what who whom how about as by from up out if then than very really oh um uh well'.split(
    ' ',
  ),
);

/**
 * Deterministic hashed bag of features, L2-normalised: content words, word bigrams and
 * character 3–5-grams (robust to inflections and typos), hashed with FNV-1a into `dimension`
 * signed buckets. Same text → same vector on every machine.
 */
export class HashedNgramEmbedder implements Embedder {
  readonly name = 'hashed-ngram-v1';

  constructor(readonly dimension = 512) {}

  embed(text: string): number[] {
    const vector = new Float64Array(this.dimension);
    const words = normalise(text)
      .split(' ')
      .filter((w) => w.length > 0 && !STOPWORDS.has(w));
    for (const word of words) {
      this.add(vector, `w:${word}`, 1);
      const padded = ` ${word} `;
      for (let n = 3; n <= 5; n += 1) {
        for (let i = 0; i + n <= padded.length; i += 1) this.add(vector, `c:${padded.slice(i, i + n)}`, 0.35);
      }
    }
    for (let i = 0; i + 1 < words.length; i += 1) this.add(vector, `b:${words[i]} ${words[i + 1]}`, 0.6);
    const norm = Math.hypot(...vector);
    return Array.from(vector, (x) => (norm === 0 ? 0 : x / norm));
  }

  private add(vector: Float64Array, feature: string, weight: number): void {
    const h = fnv1a(feature);
    vector[h % this.dimension]! += h & 0x80000000 ? -weight : weight;
  }
}

/** Lower case, accents removed, apostrophes dropped ("don't" → "dont"), other punctuation → space. */
export function normalise(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i += 1) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
