import React from 'react';
import { css } from '@emotion/css';
import { BRAND } from '../brand/brand';

export interface BarItem {
  label: string;
  value: number;
  display?: string;
  secondary?: string;
}

/** Ranked horizontal bars on the gradient. */
export function BarList({
  items,
  testId,
  empty = 'Nothing yet',
}: {
  items: BarItem[];
  testId?: string;
  empty?: string;
}) {
  const max = Math.max(...items.map((i) => i.value), 1);
  if (items.length === 0) {
    return <div className={css({ color: BRAND.muted })}>{empty}</div>;
  }
  return (
    <ol data-testid={testId} className={css({ listStyle: 'none', margin: 0, padding: 0 })}>
      {items.map((item) => (
        <li key={item.label} className={css({ margin: '10px 0' })}>
          <div className={css({ display: 'flex', justifyContent: 'space-between', gap: 12, fontSize: 13 })}>
            <span>{item.label}</span>
            <span className={css({ fontVariantNumeric: 'tabular-nums', color: BRAND.text })}>
              {item.display ?? item.value}
              {item.secondary && <span className={css({ color: BRAND.muted, marginLeft: 8 })}>{item.secondary}</span>}
            </span>
          </div>
          <div className={css({ height: 6, borderRadius: 3, background: 'rgba(148,163,184,0.12)', marginTop: 4 })}>
            <div
              className={css({
                width: `${(item.value / max) * 100}%`,
                height: '100%',
                borderRadius: 3,
                background: BRAND.gradient,
              })}
            />
          </div>
        </li>
      ))}
    </ol>
  );
}
