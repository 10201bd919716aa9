import { PanelPlugin } from '@grafana/data';
import { BeastModePanel } from './BeastModePanel';
import type { BeastModeOptions } from './types';

export const plugin = new PanelPlugin<BeastModeOptions>(BeastModePanel).setPanelOptions((builder) =>
  builder
    .addRadio({
      path: 'view',
      name: 'View',
      defaultValue: 'overall',
      settings: {
        options: [
          { value: 'overall', label: 'Overall' },
          { value: 'per_skill', label: 'Per skill' },
        ],
      },
    })
    .addNumberInput({
      path: 'expertBar',
      name: 'Expert bar',
      description: 'The score of an expert closer (0–100)',
      defaultValue: 90,
      settings: { min: 0, max: 100 },
    })
    .addNumberInput({
      path: 'warnBelow',
      name: 'Warn below',
      description: 'Scores under this show red',
      defaultValue: 50,
      settings: { min: 0, max: 100 },
    })
);
