import { log } from './report';
import type { StepResult, WebhookLoad } from './load';

export interface RampOptions {
  startRate: number;
  factor: number;
  maxRate: number;
  stepS: number;
  p99LimitMs: number;
  /** share of failed requests that breaks a step */
  errorLimit: number;
}

export interface RampResult {
  steps: StepResult[];
  /** the best throughput of a step that held (p99 and errors within the limits) */
  ceilingPerSecond: number;
  /** why the ramp stopped */
  stoppedBy: 'p99' | 'errors' | 'max_rate';
}

/** Raises the offered rate step by step until p99 or errors break (or maxRate is reached). */
export async function ramp(load: WebhookLoad, label: string, o: RampOptions): Promise<RampResult> {
  const steps: StepResult[] = [];
  let ceiling = 0;
  for (let rate = o.startRate; ; rate = Math.round(rate * o.factor)) {
    if (rate > o.maxRate) return { steps, ceilingPerSecond: ceiling, stoppedBy: 'max_rate' };
    const s = await load.step(rate, o.stepS, false);
    steps.push(s);
    log(
      `${label}: offered ${rate}/s → ${s.throughput}/s ok, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, errors ${s.errors}`,
    );
    const errorRate = s.sent ? s.errors / s.sent : 0;
    if (errorRate > o.errorLimit) return { steps, ceilingPerSecond: ceiling, stoppedBy: 'errors' };
    if (s.latencyMs.p99 > o.p99LimitMs) return { steps, ceilingPerSecond: ceiling, stoppedBy: 'p99' };
    ceiling = Math.max(ceiling, s.throughput);
  }
}
