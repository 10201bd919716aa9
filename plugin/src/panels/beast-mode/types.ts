export type SkillView = 'overall' | 'per_skill';

export interface BeastModeOptions {
  /** The expert bar (0–100) drawn on every bar. */
  expertBar: number;
  /** Below this the score shows red, below the expert bar blue, at or above it gold. */
  warnBelow: number;
  view: SkillView;
}
