import React, { type ReactNode } from 'react';
import { css, cx } from '@emotion/css';
import { BRAND } from './brand';
import './fonts';

const root = css`
  background: ${BRAND.background};
  color: ${BRAND.text};
  font-family: ${BRAND.bodyFont};
  font-size: 14px;
  line-height: 1.5;
  border-radius: 12px;
  padding: 24px;
  min-height: 100%;
  h1,
  h2,
  h3,
  h4 {
    font-family: ${BRAND.headerFont};
    letter-spacing: 0.04em;
    color: ${BRAND.text};
    margin: 0;
  }
  h1 {
    font-size: 26px;
    font-weight: 700;
  }
  h2 {
    font-size: 15px;
    font-weight: 500;
    text-transform: uppercase;
    color: ${BRAND.muted};
  }
  h3 {
    font-size: 13px;
    font-weight: 500;
    text-transform: uppercase;
    color: ${BRAND.muted};
  }
  a {
    color: ${BRAND.blue};
  }
`;

/** Scopes the brand (colours and fonts) to the plugin's own components. */
export function BrandRoot({ children, className }: { children: ReactNode; className?: string }) {
  return <div className={cx('mwva-root', root, className)}>{children}</div>;
}

export const brandStyles = {
  card: css`
    background: ${BRAND.surface};
    border: 1px solid ${BRAND.border};
    border-radius: 12px;
    padding: 18px 20px;
    min-width: 0;
  `,
  grid: (min: number) => css`
    display: grid;
    gap: 16px;
    grid-template-columns: repeat(auto-fit, minmax(${min}px, 1fr));
    margin-bottom: 16px;
  `,
  gradientText: css`
    background: ${BRAND.gradient};
    -webkit-background-clip: text;
    background-clip: text;
    color: transparent;
  `,
  muted: css`
    color: ${BRAND.muted};
    font-size: 12px;
  `,
  number: css`
    font-family: ${BRAND.headerFont};
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  `,
};
