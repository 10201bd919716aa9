import React, { Suspense, lazy } from 'react';
import { NavLink, Route, Routes, useLocation } from 'react-router-dom';
import { css, cx } from '@emotion/css';
import type { AppRootProps } from '@grafana/data';
import { LoadingPlaceholder } from '@grafana/ui';
import { NAV, ROUTES } from '../../constants';
import { RANGE_OPTIONS, RangeProvider, refreshFromLocation, useRange } from '../../api/range';
import { prefixRoute } from '../../utils/utils.routing';
import { BRAND } from '../brand/brand';
import { BrandRoot, brandStyles } from '../brand/BrandRoot';
import { testIds } from '../testIds';

const ExecutiveOverview = lazy(() => import('../../pages/ExecutiveOverview/ExecutiveOverview'));
const BeastMode = lazy(() => import('../../pages/BeastMode/BeastMode'));
const Calls = lazy(() => import('../../pages/Calls/Calls'));
const LearningGraph = lazy(() => import('../../pages/LearningGraph/LearningGraph'));
const Operations = lazy(() => import('../../pages/Operations/Operations'));

const styles = {
  header: css`
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 16px;
    flex-wrap: wrap;
    margin-bottom: 20px;
  `,
  brand: css`
    display: flex;
    align-items: center;
    gap: 12px;
  `,
  wordmark: css`
    font-family: ${BRAND.headerFont};
    font-weight: 900;
    font-size: 20px;
    letter-spacing: 0.08em;
  `,
  nav: css`
    display: flex;
    gap: 6px;
    flex-wrap: wrap;
    margin-bottom: 24px;
    border-bottom: 1px solid ${BRAND.border};
  `,
  link: css`
    font-family: ${BRAND.headerFont};
    font-size: 12px;
    letter-spacing: 0.08em;
    text-transform: uppercase;
    color: ${BRAND.muted} !important;
    padding: 10px 14px;
    border-bottom: 3px solid transparent;
    text-decoration: none;
    &:hover {
      color: ${BRAND.text} !important;
    }
  `,
  active: css`
    color: ${BRAND.text} !important;
    border-image: ${BRAND.gradient} 1;
  `,
  range: css`
    display: flex;
    gap: 4px;
    background: ${BRAND.surface};
    border: 1px solid ${BRAND.border};
    border-radius: 999px;
    padding: 4px;
    button {
      font-family: ${BRAND.bodyFont};
      border: none;
      background: transparent;
      color: ${BRAND.muted};
      border-radius: 999px;
      padding: 4px 12px;
      cursor: pointer;
    }
    button[aria-pressed='true'] {
      background: ${BRAND.gradient};
      color: ${BRAND.background};
      font-weight: 600;
    }
  `,
};

function RangePicker() {
  const { rangeMs, setRangeMs } = useRange();
  return (
    <div className={styles.range} data-testid={testIds.app.range} role="group" aria-label="Time range">
      {RANGE_OPTIONS.map((o) => (
        <button key={o.value} type="button" aria-pressed={o.value === rangeMs} onClick={() => setRangeMs(o.value)}>
          {o.label}
        </button>
      ))}
    </div>
  );
}

function Shell() {
  return (
    <BrandRoot>
      <header className={styles.header}>
        <div className={styles.brand}>
          <svg width="36" height="36" viewBox="0 0 64 64" aria-hidden>
            <defs>
              <linearGradient id="mwva-logo" x1="0" y1="0" x2="1" y2="1">
                <stop offset="0" stopColor={BRAND.blue} />
                <stop offset="1" stopColor={BRAND.gold} />
              </linearGradient>
            </defs>
            <path
              d="M12 44 L22 20 L32 38 L42 14 L52 44"
              fill="none"
              stroke="url(#mwva-logo)"
              strokeWidth="7"
              strokeLinecap="round"
              strokeLinejoin="round"
            />
          </svg>
          <div>
            <div className={cx(styles.wordmark, brandStyles.gradientText)}>MAGNIFICENT WORLDWIDE</div>
            <div className={brandStyles.muted}>Voice Agent · live</div>
          </div>
        </div>
        <RangePicker />
      </header>
      <nav className={styles.nav} data-testid={testIds.app.nav}>
        {NAV.map((n) => (
          <NavLink
            key={n.route}
            to={prefixRoute(n.route)}
            className={({ isActive }) => cx(styles.link, isActive && styles.active)}
          >
            {n.title}
          </NavLink>
        ))}
      </nav>
      <Suspense fallback={<LoadingPlaceholder text="Loading…" />}>
        <Routes>
          <Route path={ROUTES.BeastMode} element={<BeastMode />} />
          <Route path={ROUTES.Calls} element={<Calls />} />
          <Route path={ROUTES.Learning} element={<LearningGraph />} />
          <Route path={ROUTES.Operations} element={<Operations />} />
          <Route path="*" element={<ExecutiveOverview />} />
        </Routes>
      </Suspense>
    </BrandRoot>
  );
}

function App(_props: AppRootProps) {
  const location = useLocation();
  return (
    <RangeProvider refreshMs={refreshFromLocation(location.search)}>
      <Shell />
    </RangeProvider>
  );
}

export default App;
