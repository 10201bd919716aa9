import React, { type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import { BRAND } from '../brand/brand';
import { brandStyles } from '../brand/BrandRoot';

interface Props {
  title: string;
  value: string;
  hint?: ReactNode;
  /** The hero variant: a big number on the brand gradient. */
  hero?: boolean;
  testId?: string;
  children?: ReactNode;
}

const styles = {
  hero: css`
    background: ${BRAND.gradient};
    border: none;
    color: ${BRAND.background};
    h3,
    div {
      color: rgba(15, 23, 42, 0.85);
    }
  `,
  value: css`
    font-size: 34px;
    line-height: 1.15;
    margin: 8px 0 4px;
  `,
  heroValue: css`
    font-size: 64px;
    color: ${BRAND.background};
  `,
};

export function StatCard({ title, value, hint, hero, testId, children }: Props) {
  return (
    <div className={cx(brandStyles.card, hero && styles.hero)}>
      <h3>{title}</h3>
      <div
        className={cx(brandStyles.number, styles.value, hero ? styles.heroValue : brandStyles.gradientText)}
        data-testid={testId}
      >
        {value}
      </div>
      {hint && <div className={brandStyles.muted}>{hint}</div>}
      {children}
    </div>
  );
}
