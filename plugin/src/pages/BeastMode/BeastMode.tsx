import React from 'react';
import { css } from '@emotion/css';
import type { DataFrame } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { EXPERT_BAR } from '../../constants';
import { field, numberFields, rows, expertBarOf } from '../../api/frames';
import { useVoiceQuery } from '../../api/useVoiceQuery';
import { ProgressBar } from '../../components/charts/ProgressBar';
import { TimeSeriesChart } from '../../components/charts/TimeSeriesChart';
import { QueryStatus, Section } from '../../components/PageSection';
import { BRAND } from '../../components/brand/brand';
import { brandStyles } from '../../components/brand/BrandRoot';
import { fmtScore } from '../../components/format';
import { testIds } from '../../components/testIds';

export const SKILL_LABELS: Record<string, string> = {
  overall: 'Overall',
  opening: 'Opening',
  discovery: 'Discovery',
  objection_handling: 'Objection handling',
  closing: 'Closing',
};

/**
 * Current per-skill scores from a `beast_mode` current frame: either one row per skill
 * (fields skill + score/value) or one number field per skill (named or labelled by skill).
 */
export function skillScores(frames: DataFrame[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const frame of frames) {
    const skill = field(frame, 'skill');
    if (skill) {
      const value = field(frame, 'score') ?? field(frame, 'value') ?? numberFields(frame)[0];
      rows(frame).forEach((_, i) => {
        const v = value?.values[i];
        if (typeof v === 'number') {
          out[String(skill.values[i])] = v;
        }
      });
      continue;
    }
    for (const f of numberFields(frame)) {
      const name =
        f.labels?.skill ??
        (f.name in SKILL_LABELS ? f.name : frame.name && frame.name in SKILL_LABELS ? frame.name : f.name);
      const v = f.values[f.values.length - 1];
      if (typeof v === 'number') {
        out[name] = v;
      }
    }
  }
  return out;
}

function BeastMode() {
  const current = useVoiceQuery([{ refId: 'current', kind: 'beast_mode', mode: 'current', skill: 'all' }]);
  const curve = useVoiceQuery([{ refId: 'curve', kind: 'beast_mode', mode: 'timeseries', skill: 'all' }]);
  const scores = skillScores(current.frames.current ?? []);
  const overall = scores.overall ?? null;
  const EXPERT = expertBarOf(current.frames.current?.[0], EXPERT_BAR);

  return (
    <PluginPage>
      <div data-testid={testIds.beastMode.container}>
        <QueryStatus errors={[...current.errors, ...curve.errors]} missingDatasource={current.missingDatasource} />
        <div className={brandStyles.grid(320)}>
          <section className={brandStyles.card}>
            <h2>Beast Mode progress</h2>
            <div className={css({ display: 'flex', alignItems: 'baseline', gap: 12, margin: '12px 0' })}>
              <span
                className={`${brandStyles.number} ${css({ fontSize: 72, color: BRAND.gold, lineHeight: 1 })}`}
                data-testid={testIds.beastMode.skill('overall')}
              >
                {fmtScore(overall)}
              </span>
              <span className={brandStyles.muted}>/ 100 · expert bar {EXPERT}</span>
            </div>
            <ProgressBar value={overall ?? 0} marker={EXPERT} markerLabel="expert" height={20} label="Overall score" />
            <p className={brandStyles.muted}>
              {overall === null
                ? 'No score yet: it appears after the first calls end.'
                : overall >= EXPERT
                  ? 'The agent is selling at expert level.'
                  : `${(EXPERT - overall).toFixed(1)} points to the expert bar.`}
            </p>
          </section>
          <Section title="Skills">
            {Object.keys(SKILL_LABELS)
              .filter((s) => s !== 'overall')
              .map((skill) => (
                <div key={skill} className={css({ marginBottom: 10 })}>
                  <div className={css({ display: 'flex', justifyContent: 'space-between' })}>
                    <span>{SKILL_LABELS[skill]}</span>
                    <span className={brandStyles.number} data-testid={testIds.beastMode.skill(skill)}>
                      {fmtScore(scores[skill] ?? null)}
                    </span>
                  </div>
                  <ProgressBar value={scores[skill] ?? 0} marker={EXPERT} height={10} label={SKILL_LABELS[skill]} />
                </div>
              ))}
          </Section>
        </div>
        <Section title="Learning curve toward the expert bar">
          <TimeSeriesChart
            frames={curve.frames.curve ?? []}
            yMax={100}
            reference={{ value: EXPERT, label: `expert ${EXPERT}` }}
            testId={testIds.beastMode.curve}
          />
        </Section>
      </div>
    </PluginPage>
  );
}

export default BeastMode;
