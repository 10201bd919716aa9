import { Histogram, type Registry } from 'prom-client';
import { StoreError, type StoreAdapter } from '../ports';
import { errorMessage } from '../stores/health';

const STORE_DURATION = 'voice_store_duration_seconds';

function storeDurationHistogram(registry: Registry): Histogram<'store' | 'op' | 'result'> {
  const existing = registry.getSingleMetric(STORE_DURATION);
  if (existing) return existing as Histogram<'store' | 'op' | 'result'>;
  return new Histogram({
    name: STORE_DURATION,
    help: 'Latency of store operations by store role and operation',
    labelNames: ['store', 'op', 'result'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
}

const UNTIMED = new Set(['health', 'close', 'constructor']);

/**
 * Wraps every async method of an adapter so its latency lands in
 * `voice_store_duration_seconds{store,op,result}` and its failures carry the store's name,
 * without each adapter doing either itself.
 */
export function instrumentStore<T extends StoreAdapter>(adapter: T, registry: Registry): T {
  const histogram = storeDurationHistogram(registry);
  return new Proxy(adapter, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function' || typeof prop !== 'string' || UNTIMED.has(prop)) return value;
      return (...args: unknown[]) => {
        const end = histogram.startTimer({ store: target.store, op: prop });
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) {
          end({ result: 'ok' });
          return result;
        }
        return result.then(
          (v) => {
            end({ result: 'ok' });
            return v;
          },
          (err: unknown) => {
            end({ result: 'error' });
            // Whatever the driver threw, the caller learns which store and operation failed.
            if (err instanceof StoreError) throw err;
            throw new StoreError(target.store, `${prop} failed: ${errorMessage(err)}`, { cause: err });
          },
        );
      };
    },
  });
}
