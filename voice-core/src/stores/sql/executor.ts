/**
 * The little that both PGlite (embedded) and node-postgres (native) need to share one SQL
 * implementation of the Postgres-role ports.
 */
export interface SqlQueryable {
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
}

export interface SqlExecutor extends SqlQueryable {
  /** Runs `fn` in one transaction; rolls back when it throws. */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>;
}

/** Postgres returns timestamptz as Date; the domain carries ISO strings. */
export function isoOrNull(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

export function iso(value: unknown): string {
  const out = isoOrNull(value);
  if (out === null) throw new Error('expected a timestamp, got null');
  return out;
}

/** pgvector's text form, e.g. `[0.1,0.2]`. */
export function toVectorLiteral(embedding: number[]): string {
  return `[${embedding.join(',')}]`;
}

export function fromVectorLiteral(value: unknown): number[] {
  if (Array.isArray(value)) return value.map(Number);
  return JSON.parse(String(value)) as number[];
}
