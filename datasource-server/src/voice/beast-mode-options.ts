import { DEFAULT_BEAST_MODE, type BeastModeOptions } from '@mwva/voice-core';
import type { Env } from '../config/env';

/** Beast Mode as configured: the tracker that snapshots it and the dashboards that show it agree. */
export function beastModeOptions(env: Env): BeastModeOptions & { intervalMs: number } {
  return {
    ...DEFAULT_BEAST_MODE,
    expertBar: env.BEAST_MODE_BAR,
    conversionTarget: env.BEAST_MODE_CONVERSION_TARGET,
    intervalMs: env.BEAST_MODE_INTERVAL_MS,
  };
}
