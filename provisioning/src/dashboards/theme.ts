import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';

/** The Magnificent Worldwide palette: deep blue rising to gold as live volume grows. */
export const BRAND = {
  blue: '#1F4E9C',
  lightBlue: '#5794F2',
  paleGold: '#E0B400',
  gold: '#FFD700',
} as const;

/** Active-call thresholds as a share of CALL_CAPACITY's default (1000): blue → gold. */
export function blueToGold(capacity: number) {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: BRAND.blue },
    { value: Math.round(capacity * 0.25), color: BRAND.lightBlue },
    { value: Math.round(capacity * 0.5), color: BRAND.paleGold },
    { value: Math.round(capacity * 0.75), color: BRAND.gold },
  ]);
}

export function greenUntil(limit: number, warnColor = 'orange', overColor = 'red') {
  return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps([
    { value: null, color: 'green' },
    { value: limit * 0.9, color: warnColor },
    { value: limit, color: overColor },
  ]);
}
