import React from 'react';
import { css, cx } from '@emotion/css';
import { type DataFrame, FieldType } from '@grafana/data';
import { BRAND } from '../brand/brand';
import { fmtDateTime, fmtPct, fmtSeconds, fmtUsd, humanize } from '../format';

interface Props {
  frame?: DataFrame;
  /** Field names to show, in order (default: all). */
  columns?: string[];
  onRowClick?: (row: Record<string, unknown>) => void;
  selectedKey?: { field: string; value: unknown };
  testId?: string;
  maxRows?: number;
  /** Columns of slugs shown as words ("not_converted" → "Not converted"). */
  humanize?: string[];
  /** Columns of long ids shown by their first characters (the whole id in the tooltip). */
  shorten?: string[];
}

const styles = {
  table: css`
    width: 100%;
    border-collapse: collapse;
    font-size: 13px;
    th {
      text-align: left;
      font-weight: 500;
      color: ${BRAND.muted};
      text-transform: uppercase;
      font-size: 11px;
      letter-spacing: 0.06em;
      padding: 8px 10px;
      border-bottom: 1px solid ${BRAND.border};
    }
    td {
      padding: 8px 10px;
      border-bottom: 1px solid ${BRAND.border};
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
      max-width: 320px;
    }
  `,
  clickable: css`
    cursor: pointer;
    &:hover {
      background: ${BRAND.surfaceRaised};
    }
  `,
  selected: css`
    background: rgba(59, 130, 246, 0.18);
  `,
};

export function formatCell(value: unknown, type: FieldType, unit?: string): string {
  if (value === null || value === undefined || value === '') {
    return '—';
  }
  if (type === FieldType.time && typeof value === 'number') {
    return fmtDateTime(value);
  }
  if (typeof value === 'number') {
    if (unit === 's') {
      return fmtSeconds(value);
    }
    if (unit === 'currencyUSD') {
      return fmtUsd(value);
    }
    if (unit === 'percentunit') {
      return fmtPct(value);
    }
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  return String(value);
}

const isEmpty = (v: unknown) => v === null || v === undefined || v === '';

/** A compact branded table of one frame. */
export function DataTable({
  frame,
  columns,
  onRowClick,
  selectedKey,
  testId,
  maxRows = 200,
  humanize: words = [],
  shorten = [],
}: Props) {
  if (!frame || frame.length === 0) {
    return <div className={css({ color: BRAND.muted, padding: 8 })}>No rows in this range yet</div>;
  }
  const count = Math.min(frame.length, maxRows);
  // A column with nothing in any shown row is left out: it only takes room from the others.
  const fields = (
    columns ? columns.map((c) => frame.fields.find((f) => f.name === c)).filter((f) => f !== undefined) : frame.fields
  ).filter((f) => f.values.slice(0, count).some((v) => !isEmpty(v)));
  const cell = (f: (typeof fields)[number], i: number) => {
    const v = f.values[i];
    const full = formatCell(v, f.type, f.config?.unit);
    if (typeof v === 'string' && v && words.includes(f.name)) {
      return { full, shown: humanize(v) };
    }
    if (typeof v === 'string' && shorten.includes(f.name)) {
      return { full, shown: v.slice(0, 8) };
    }
    return { full, shown: full };
  };
  return (
    <div className={css({ overflowX: 'auto' })}>
      <table className={styles.table} data-testid={testId}>
        <thead>
          <tr>
            {fields.map((f) => (
              <th key={f.name}>{f.config?.displayName ?? f.name.replace(/_/g, ' ')}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {Array.from({ length: count }, (_, i) => {
            const row = Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]]));
            const selected = selectedKey && row[selectedKey.field] === selectedKey.value;
            return (
              <tr
                key={i}
                className={cx(onRowClick && styles.clickable, selected && styles.selected)}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
              >
                {fields.map((f) => {
                  const { full, shown } = cell(f, i);
                  return (
                    <td key={f.name} title={full}>
                      {shown}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
