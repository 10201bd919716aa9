/**
 * Figures of the compose suite: printed as one line each and written as JSON to
 * $COMPOSE_RESULTS_DIR (default .stack/results/), with the machine, the load average and the
 * command, for docs/BENCHMARKS.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { REPO } from './stack';

export function record(name: string, figures: Record<string, unknown>): void {
  const dir = process.env.COMPOSE_RESULTS_DIR || join(REPO, '.stack', 'results');
  mkdirSync(dir, { recursive: true });
  const doc = {
    name,
    date: new Date().toISOString(),
    command: 'npm run stack:up && npm run test:compose',
    loadSize: process.env.COMPOSE_LOAD_CALLS ?? null,
    machine: { cpus: cpus().length, loadAvg: loadavg().map((l) => Math.round(l * 100) / 100) },
    ...figures,
  };
  writeFileSync(join(dir, `${name}.json`), `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`compose ${name} ${JSON.stringify(figures)}`);
}
