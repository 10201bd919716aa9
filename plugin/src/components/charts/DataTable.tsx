import React from 'react';
import { css, cx } from '@emotion/css';
import { type DataFrame, FieldType } from '@grafana/data';
import { BRAND } from '../brand/brand';

interface Props {
  frame?: DataFrame;
  /** Field names to show, in order (default: all). */
  columns?: string[];
  onRowClick?: (row: Record<string, unknown>) => void;
  selectedKey?: { field: string; value: unknown };
  testId?: string;
  maxRows?: number;
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

export function formatCell(value: unknown, type: FieldType): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (type === FieldType.time && typeof value === 'number') {
    return new Date(value).toLocaleString();
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toFixed(2);
  }
  return String(value);
}

/** A compact branded table of one frame. */
export function DataTable({ frame, columns, onRowClick, selectedKey, testId, maxRows = 200 }: Props) {
  if (!frame || frame.length === 0) {
    return <div className={css({ color: BRAND.muted, padding: 8 })}>No rows in this range yet</div>;
  }
  const fields = columns
    ? columns.map((c) => frame.fields.find((f) => f.name === c)).filter((f) => f !== undefined)
    : frame.fields;
  const count = Math.min(frame.length, maxRows);
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
                {fields.map((f) => (
                  <td key={f.name} title={formatCell(f.values[i], f.type)}>
                    {formatCell(f.values[i], f.type)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
