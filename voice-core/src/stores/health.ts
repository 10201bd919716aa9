import type { AdapterKind, StoreHealth, StoreName } from '../ports';

/** Times one probe and turns its failure into a health row instead of an exception. */
export async function probeHealth(
  store: StoreName,
  kind: AdapterKind,
  probe: () => Promise<unknown>,
): Promise<StoreHealth> {
  const started = performance.now();
  try {
    await probe();
    return { store, kind, ok: true, latencyMs: performance.now() - started };
  } catch (err) {
    return { store, kind, ok: false, latencyMs: performance.now() - started, error: errorMessage(err) };
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
