import React from 'react';
import { css } from '@emotion/css';
import type { PanelProps } from '@grafana/data';
import { ProgressBar } from '../../components/charts/ProgressBar';
import { BRAND } from '../../components/brand/brand';
import { BrandRoot, brandStyles } from '../../components/brand/BrandRoot';
import { testIds } from '../../components/testIds';
import { SKILL_LABELS, skillScores } from '../../pages/BeastMode/BeastMode';
import type { BeastModeOptions } from './types';

type Props = PanelProps<BeastModeOptions>;

/** Status text colour by threshold; the bar itself is always Beast Mode gold. */
export function scoreColor(score: number, options: BeastModeOptions): string {
  if (score >= options.expertBar) {
    return BRAND.gold;
  }
  return score < options.warnBelow ? BRAND.bad : BRAND.blue;
}

/** Beast Mode score vs the expert bar, overall or per skill, from a `beast_mode` (current) query. */
export function BeastModePanel({ data, options, width, height }: Props) {
  const scores = skillScores(data.series);
  const skills = options.view === 'per_skill' ? Object.keys(SKILL_LABELS).filter((s) => s !== 'overall') : ['overall'];
  const overall = scores.overall ?? Object.values(scores)[0];
  const big = Math.max(28, Math.min(96, height / 3));

  return (
    <BrandRoot className={css({ width, height, overflow: 'auto', padding: 16, background: BRAND.gradient })}>
      <div
        data-testid={testIds.panel.container}
        className={css({ background: 'rgba(15, 23, 42, 0.88)', borderRadius: 10, padding: 16, minHeight: '100%' })}
      >
        {overall === undefined ? (
          <div className={brandStyles.muted}>No Beast Mode score: query kind “Beast Mode”, mode “Current”.</div>
        ) : options.view === 'overall' ? (
          <>
            <h3>Beast Mode</h3>
            <div
              data-testid={testIds.panel.score}
              className={`${brandStyles.number} ${css({ fontSize: big, lineHeight: 1.1, color: scoreColor(overall, options) })}`}
            >
              {overall.toFixed(1)}
            </div>
            <ProgressBar
              value={overall}
              marker={options.expertBar}
              markerLabel={`expert ${options.expertBar}`}
              height={18}
              label="Beast Mode"
            />
          </>
        ) : (
          skills.map((skill) => (
            <div key={skill} className={css({ marginBottom: 8 })}>
              <div className={css({ display: 'flex', justifyContent: 'space-between' })}>
                <span>{SKILL_LABELS[skill]}</span>
                <span className={brandStyles.number} style={{ color: scoreColor(scores[skill] ?? 0, options) }}>
                  {scores[skill] === undefined ? '—' : scores[skill]!.toFixed(1)}
                </span>
              </div>
              <ProgressBar
                value={scores[skill] ?? 0}
                marker={options.expertBar}
                height={10}
                label={SKILL_LABELS[skill]}
              />
            </div>
          ))
        )}
      </div>
    </BrandRoot>
  );
}
