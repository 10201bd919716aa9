import { writeFileSync } from 'node:fs';
import { runLearnEval, type LearnEvalResult } from '@mwva/voice-core';
import { lineChart } from '../report/svg-chart';
import { progressLine } from './progress';

export interface LearnEvalCliOptions {
  calls: number;
  seed: number;
  window: number;
  json: boolean;
  /** Write the learning curve as an SVG chart here. */
  svg?: string;
}

/** `voice-agent learn-eval`: learning policy vs random vs oracle on the same seeded prospects. */
export async function learnEval(options: LearnEvalCliOptions): Promise<void> {
  const progress = progressLine('learn-eval');
  const result = await runLearnEval({ ...options, onProgress: (d, t) => progress.update(d, t) });
  progress.done();
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`.padStart(7);
  const lines = [
    `Learning evaluation — ${result.calls} calls, seed ${result.seed} (conversion rate per window of ${result.window})`,
    '   calls        learning   random   oracle',
    ...result.windows.map(
      (w) => `  ${`${w.from + 1}–${w.to}`.padEnd(12)} ${pct(w.policy)}  ${pct(w.random)}  ${pct(w.oracle)}`,
    ),
    `  last 500     ${pct(result.policy_last500)}  ${pct(result.random_last500)}  ${pct(result.oracle_last500)}   (${pct(result.policy_gap_closed_last500).trim()} of the random→oracle gap closed)`,
    `  understanding ${pct(result.understanding_accuracy).trim()} of utterances, verdicts perceived right in ${pct(result.outcome_perception_accuracy).trim()} of calls`,
    `  Beast Mode at the end: overall ${result.beast_mode_end.overall} (objection handling ${result.beast_mode_end.objection_handling})`,
    `  turn (embed → nearest intent → choose) p50 ${result.turn_ms.p50} ms, p95 ${result.turn_ms.p95} ms, p99 ${result.turn_ms.p99} ms; ${(result.elapsed_ms / 1000).toFixed(1)} s in all`,
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
  if (options.svg) {
    writeFileSync(options.svg, learningCurveSvg(result));
    process.stderr.write(`  learning curve written to ${options.svg}\n`);
  }
  if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function learningCurveSvg(result: LearnEvalResult): string {
  const at = (pick: (w: LearnEvalResult['windows'][number]) => number) =>
    result.windows.map((w) => ({ x: w.to, y: pick(w) }));
  return lineChart({
    title: `Learning curve — conversion per ${result.window} calls (seed ${result.seed})`,
    xLabel: 'calls',
    yLabel: 'conversion rate',
    yMax: 1,
    yFormat: (y) => `${Math.round(y * 100)}%`,
    series: [
      { name: 'learning policy', color: '#facc15', points: at((w) => w.policy) },
      { name: 'oracle (hidden best)', color: '#3b82f6', points: at((w) => w.oracle), dashed: true },
      { name: 'uniform random', color: '#64748b', points: at((w) => w.random) },
    ],
  });
}
