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

export function percentiles(samples: readonly number[]): {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
} {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => (s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : 0);
  const r = (x: number) => Math.round(x * 10) / 10;
  return { count: s.length, p50: r(at(0.5)), p95: r(at(0.95)), p99: r(at(0.99)), max: r(s[s.length - 1] ?? 0) };
}
