import { type DataFrame, type Field, FieldType } from '@grafana/data';

export const numberFields = (frame?: DataFrame): Field[] =>
  frame?.fields.filter((f) => f.type === FieldType.number) ?? [];

export const timeField = (frame?: DataFrame): Field | undefined => frame?.fields.find((f) => f.type === FieldType.time);

export const field = (frame: DataFrame | undefined, name: string): Field | undefined =>
  frame?.fields.find((f) => f.name === name);

/** The latest non-null value of a number field (by name, or the first number field). */
export function lastNumber(frame?: DataFrame, name?: string): number | null {
  const f = name ? field(frame, name) : numberFields(frame)[0];
  if (!f) {
    return null;
  }
  for (let i = f.values.length - 1; i >= 0; i--) {
    const v = f.values[i];
    if (typeof v === 'number' && Number.isFinite(v)) {
      return v;
    }
  }
  return null;
}

/** Sum of every number field of every frame (e.g. calls per interval, per group). */
export function sumNumbers(frames: DataFrame[]): number {
  let total = 0;
  for (const frame of frames) {
    for (const f of numberFields(frame)) {
      for (const v of f.values) {
        total += typeof v === 'number' && Number.isFinite(v) ? v : 0;
      }
    }
  }
  return total;
}

/** Rows of a frame as objects keyed by field name. */
export function rows(frame?: DataFrame): Array<Record<string, unknown>> {
  if (!frame) {
    return [];
  }
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]]))
  );
}

/** A series' display name: its labels (e.g. direction=inbound), the frame name, or the field name. */
export function seriesName(frame: DataFrame, f: Field): string {
  const labels = f.labels ? Object.values(f.labels) : [];
  if (labels.length) {
    return labels.join(' · ');
  }
  const display = f.config?.displayNameFromDS ?? f.config?.displayName;
  if (display) {
    return display;
  }
  return frame.name && f.name === 'value' ? frame.name : f.name;
}

/** The expert bar the server is configured with (BEAST_MODE_BAR), from a beast_mode frame's meta. */
export function expertBarOf(frame: DataFrame | undefined, fallback: number): number {
  const bar = (frame?.meta?.custom as { expertBar?: unknown } | undefined)?.expertBar;
  return typeof bar === 'number' ? bar : fallback;
}
