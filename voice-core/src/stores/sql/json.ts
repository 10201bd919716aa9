/** node-postgres and PGlite both parse jsonb; a text column (or a driver setting) may not. */
export function parseJson(value: unknown): Record<string, unknown> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown>;
}
