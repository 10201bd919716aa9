/**
 * Makes a parsed JSON value fit every store it goes to. Postgres can hold neither U+0000 in a
 * jsonb string or key nor arbitrarily deep documents, and one such value used to fail the whole
 * group commit it was written in. NUL becomes U+FFFD (the text stays readable and the event is
 * kept); a document nested deeper than `maxDepth` is refused, since no Telnyx event comes close.
 */
export class JsonTooDeepError extends Error {
  constructor(readonly maxDepth: number) {
    super(`JSON nested deeper than ${maxDepth} levels`);
    this.name = 'JsonTooDeepError';
  }
}

/** Telnyx's deepest call event (`call.cost` → `cost_parts[]` → fields) is five levels. */
export const MAX_JSON_DEPTH = 32;

const NUL = String.fromCharCode(0);

export function storableJson<T>(value: T, maxDepth = MAX_JSON_DEPTH): T {
  return clean(value, maxDepth, 0) as T;
}

export function storableText(text: string): string {
  return text.replaceAll(NUL, '\uFFFD');
}

function clean(value: unknown, maxDepth: number, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) throw new JsonTooDeepError(maxDepth);
  if (Array.isArray(value)) return value.map((v) => clean(v, maxDepth, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[storableText(k)] = clean(v, maxDepth, depth + 1);
  return out;
}
