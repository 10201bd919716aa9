import type { DataFrameJSON, FieldSchema } from './query-model';

/** Grafana's data-frame JSON: a schema of fields and their values as columns. */
export function frame(
  refId: string,
  name: string,
  fields: (FieldSchema & { values: unknown[] })[],
  meta?: DataFrameJSON['schema']['meta'],
): DataFrameJSON {
  return {
    schema: { refId, name, fields: fields.map(({ values: _values, ...schema }) => schema), ...(meta ? { meta } : {}) },
    data: { values: fields.map((f) => f.values) },
  };
}

export const timeField = (values: number[], name = 'time'): FieldSchema & { values: number[] } => ({
  name,
  type: 'time',
  values,
});

export const numberField = (
  name: string,
  values: (number | null)[],
  config?: Record<string, unknown>,
  labels?: Record<string, string>,
): FieldSchema & { values: (number | null)[] } => ({
  name,
  type: 'number',
  values,
  ...(config ? { config } : {}),
  ...(labels ? { labels } : {}),
});

export const stringField = (name: string, values: (string | null)[], config?: Record<string, unknown>) => ({
  name,
  type: 'string' as const,
  values,
  ...(config ? { config } : {}),
});

export const booleanField = (name: string, values: boolean[]) => ({ name, type: 'boolean' as const, values });

/** Every bucket start of the range, so series show zeros instead of gaps (bounded by maxDataPoints upstream). */
export function bucketStarts(fromMs: number, toMs: number, bucketMs: number): number[] {
  const out: number[] = [];
  for (let t = fromMs; t < toMs; t += bucketMs) out.push(t);
  return out;
}
