import React from 'react';
import { render, screen } from '@testing-library/react';
import { FieldType, LoadingState, getDefaultTimeRange, toDataFrame } from '@grafana/data';
import { BeastModePanel, scoreColor } from './BeastModePanel';
import { skillScores } from '../../pages/BeastMode/BeastMode';
import type { BeastModeOptions } from './types';

const current = toDataFrame({
  refId: 'A',
  fields: [
    { name: 'skill', type: FieldType.string, values: ['overall', 'opening', 'closing'] },
    { name: 'score', type: FieldType.number, values: [72.5, 81, 55] },
  ],
});

const options: BeastModeOptions = { expertBar: 85, warnBelow: 50, view: 'overall' };

function renderPanel(opts: BeastModeOptions, series = [current]) {
  const props = {
    data: { series, state: LoadingState.Done, timeRange: getDefaultTimeRange() },
    options: opts,
    width: 400,
    height: 240,
  } as any;
  return render(<BeastModePanel {...props} />);
}

describe('Beast Mode panel', () => {
  it('shows the overall score against the expert bar', () => {
    renderPanel(options);
    expect(screen.getByTestId('mwva-beast-panel-score')).toHaveTextContent('72.5');
    expect(screen.getByRole('progressbar', { name: 'Beast Mode' })).toHaveAttribute('aria-valuenow', '72.5');
    expect(screen.getByText('expert 85')).toBeInTheDocument();
  });

  it('shows each skill in the per-skill view', () => {
    renderPanel({ ...options, view: 'per_skill' });
    expect(screen.getByRole('progressbar', { name: 'Opening' })).toHaveAttribute('aria-valuenow', '81');
    expect(screen.getByRole('progressbar', { name: 'Closing' })).toHaveAttribute('aria-valuenow', '55');
    expect(screen.getByRole('progressbar', { name: 'Discovery' })).toHaveAttribute('aria-valuenow', '0');
  });

  it('explains what to query when there is no score', () => {
    renderPanel(options, []);
    expect(screen.getByText(/No Beast Mode score/)).toBeInTheDocument();
  });

  it('colours by threshold: red below warn, blue below the expert bar, gold at it', () => {
    expect(scoreColor(40, options)).toBe('#f43f5e');
    expect(scoreColor(60, options)).toBe('#3b82f6');
    expect(scoreColor(85, options)).toBe('#facc15');
  });
});

describe('skillScores', () => {
  it('reads one number field per skill (labelled) as well as skill rows', () => {
    const wide = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1, 2] },
        { name: 'value', type: FieldType.number, labels: { skill: 'discovery' }, values: [10, 20] },
      ],
    });
    expect(skillScores([current, wide])).toEqual({ overall: 72.5, opening: 81, closing: 55, discovery: 20 });
  });
});
