import { API_JOB } from '../config';

/** Helpers that write promtool input series (expanding notation: 'start+stepxN'). */

export type Labels = Record<string, string>;

export const API_LABELS: Labels = { job: API_JOB, instance: 'voice-agent-api-1:5000', service: API_JOB };

export function selector(metric: string, labels: Labels): string {
  const body = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(',');
  return `${metric}{${body}}`;
}

/** A counter growing by `perStep` each step, for `steps` steps. */
export const growing = (perStep: number, steps: number) => `0+${perStep}x${steps}`;

/** A gauge holding `value` for `steps` steps. */
export const constant = (value: number, steps: number) => `${value}x${steps}`;

/**
 * Histogram bucket series: `perStepByLe` gives, per `le`, the cumulative observations added each
 * step (so it must not decrease with `le`); +Inf is the largest of them.
 */
export function histogram(metric: string, labels: Labels, perStepByLe: Record<string, number>, steps: number) {
  const series: Record<string, string> = {};
  const counts = Object.values(perStepByLe);
  for (const [le, perStep] of Object.entries(perStepByLe)) {
    series[selector(`${metric}_bucket`, { ...labels, le })] = growing(perStep, steps);
  }
  series[selector(`${metric}_bucket`, { ...labels, le: '+Inf' })] = growing(Math.max(...counts), steps);
  return series;
}
