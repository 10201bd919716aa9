import { type DataFrame, type Field, FieldType, type FieldConfig } from '@grafana/data';
import type { DataFrameJSON } from './types';

const FIELD_TYPES: Record<string, FieldType> = {
  time: FieldType.time,
  number: FieldType.number,
  string: FieldType.string,
  boolean: FieldType.boolean,
  other: FieldType.other,
};

/**
 * Maps one frame of the server's data-frame JSON (schema + column values) to a Grafana DataFrame.
 * Columns shorter than the longest are padded with null so every field has `length` values.
 */
export function toDataFrame(json: DataFrameJSON, refId: string): DataFrame {
  const columns = json.data?.values ?? [];
  const length = columns.reduce((max, column) => Math.max(max, column?.length ?? 0), 0);
  const fields: Field[] = json.schema.fields.map((schema, index) => {
    const type = FIELD_TYPES[schema.type] ?? FieldType.other;
    const raw = columns[index] ?? [];
    const values = Array.from({ length }, (_, i) => normalise(raw[i], type));
    return {
      name: schema.name,
      type,
      labels: schema.labels,
      config: (schema.config ?? {}) as FieldConfig,
      values,
    };
  });
  return {
    refId: json.schema.refId ?? refId,
    name: json.schema.name,
    meta: json.schema.meta as DataFrame['meta'],
    fields,
    length,
  };
}

/** Time columns may arrive as epoch ms or ISO strings; Grafana wants epoch ms. */
function normalise(value: unknown, type: FieldType): unknown {
  if (value === undefined) {
    return null;
  }
  if (type === FieldType.time && typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? null : ms;
  }
  return value;
}
