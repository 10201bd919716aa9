/**
 * Whether Postgres (or PGlite) refused the data itself rather than failing as a service:
 * SQLSTATE class 22 (data exception, e.g. 22P05 "unsupported Unicode escape sequence" for U+0000
 * in jsonb) and class 54 (program limit exceeded, e.g. 54001 for JSON nested too deep). The
 * driver's error may sit under a StoreError as its `cause`.
 */
export function isDataError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^(22|54)[0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
