import type { PairUsed } from '../domain';

/** A response used twice for the same objection in one call is credited once. */
export function uniquePairs(pairs: PairUsed[]): PairUsed[] {
  const seen = new Map<string, PairUsed>();
  for (const p of pairs) seen.set(`${p.objectionId}\u0000${p.responseId}`, p);
  return [...seen.values()];
}
