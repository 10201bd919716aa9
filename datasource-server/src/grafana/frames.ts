import { FRAME_FIELDS, type DataFrameJSON, type FieldType, type FrameField, type FrameName } from '@mwva/contract';

/** How one field of a frame is filled from each row. */
export interface Column<R> {
  type: FieldType;
  value: (row: R, index: number) => unknown;
  config?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export type Columns<N extends FrameName, R> = { [F in FrameField<N>]: Column<R> };

type Meta = DataFrameJSON['schema']['meta'];

/**
 * A frame in Grafana's data-frame JSON, with the fields the contract lists for `name`, in its
 * order, each filled from `rows`. The columns are keyed by those names, so a missing or
 * misspelt field does not compile.
 */
export function tableFrame<N extends FrameName, R>(
  refId: string,
  name: N,
  rows: readonly R[],
  columns: Columns<N, R>,
  options: { frameName?: string; meta?: Meta } = {},
): DataFrameJSON {
  const fields = (FRAME_FIELDS[name] as readonly FrameField<N>[]).map((field) => {
    const c = columns[field];
    return {
      schema: {
        name: field,
        type: c.type,
        ...(c.config ? { config: c.config } : {}),
        ...(c.labels ? { labels: c.labels } : {}),
      },
      values: rows.map((row, i) => c.value(row, i)),
    };
  });
  return {
    schema: {
      refId,
      name: options.frameName ?? name,
      fields: fields.map((f) => f.schema),
      ...(options.meta ? { meta: options.meta } : {}),
    },
    data: { values: fields.map((f) => f.values) },
  };
}

// Column makers: the field type and its display config in one place.
export const time = <R>(value: (row: R, i: number) => number | null): Column<R> => ({ type: 'time', value });
export const text = <R>(value: (row: R, i: number) => string | null): Column<R> => ({ type: 'string', value });
export const flag = <R>(value: (row: R, i: number) => boolean): Column<R> => ({ type: 'boolean', value });
export const num = <R>(
  value: (row: R, i: number) => number | null,
  config?: Record<string, unknown>,
  labels?: Record<string, string>,
): Column<R> => ({ type: 'number', value, ...(config ? { config } : {}), ...(labels ? { labels } : {}) });

export const PERCENT = { unit: 'percentunit', min: 0, max: 1 };

/** Row indexes of a series: its columns read `times[i]`, `values[i]`. */
export const indexes = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
