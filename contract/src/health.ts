import { z } from 'zod';
import { ADAPTER_KINDS, STORE_NAMES } from './enums';

/** One store's answer to its health probe. */
export const storeHealthSchema = z.object({
  store: z.enum(STORE_NAMES),
  kind: z.enum(ADAPTER_KINDS),
  ok: z.boolean(),
  /** Round-trip of the probe in milliseconds. */
  latencyMs: z.number(),
  error: z.string().optional(),
});
export type StoreHealth = z.infer<typeof storeHealthSchema>;

/** GET /api/grafana/health (the data source's "Save & test"), 200 when every store answers, else 503. */
export const healthResponseSchema = z.object({
  status: z.enum(['ok', 'error']),
  message: z.string(),
  stores: z.array(storeHealthSchema),
});
export type HealthResponse = z.infer<typeof healthResponseSchema>;

/** GET /readyz: the same stores, and whether the process takes traffic. */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready', 'starting', 'draining']),
  stores: z.array(storeHealthSchema),
  error: z.string().optional(),
});
export type Readiness = z.infer<typeof readinessSchema>;
