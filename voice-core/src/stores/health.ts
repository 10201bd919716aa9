import type { AdapterKind, StoreHealth, StoreName } from '../ports';

/**
 * A probe slower than this reports the store down, so /readyz answers within the Kubernetes
 * readiness timeout (3 s) and a Prometheus scrape of `voice_store_up` stays far below its 10 s
 * limit even while a store is saturated.
 */
export const HEALTH_PROBE_TIMEOUT_MS = 1500;

/** Times one probe and turns its failure (or its silence) into a health row instead of an exception. */
export async function probeHealth(
  store: StoreName,
  kind: AdapterKind,
  probe: () => Promise<unknown>,
  timeoutMs = HEALTH_PROBE_TIMEOUT_MS,
): Promise<StoreHealth> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to the health probe within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([probe(), deadline]);
    return { store, kind, ok: true, latencyMs: performance.now() - started };
  } catch (err) {
    return { store, kind, ok: false, latencyMs: performance.now() - started, error: errorMessage(err) };
  } finally {
    clearTimeout(timer);
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return errorMessage(err.errors[0]);
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
