import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';

/** Progress on stderr (stdout carries only the --json line). */
export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export interface Machine {
  nproc: number;
  cpuModel: string;
  memTotalGb: number;
  memFreeGb: number;
  loadAvg: number[];
  node: string;
  date: string;
}

export function machine(): Machine {
  let model = cpus()[0]?.model ?? 'unknown';
  try {
    model =
      execFileSync('sh', ['-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], { encoding: 'utf8' }).trim() ||
      model;
  } catch {
    /* keep os.cpus() */
  }
  return {
    nproc: cpus().length,
    cpuModel: model,
    memTotalGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    memFreeGb: Math.round((freemem() / 2 ** 30) * 10) / 10,
    loadAvg: loadavg().map((l) => Math.round(l * 100) / 100),
    node: process.version,
    date: new Date().toISOString(),
  };
}

export interface BenchResult {
  scenario: string;
  command: string;
  machine: Machine;
  /** load average when the scenario ended (the machine is shared) */
  loadAvgAfter: number[];
  durationS: number;
  /** what the seed asks and what we measured */
  bars: Array<{ bar: string; limit: number; unit: string; measured: number | null; met: boolean | null }>;
  [key: string]: unknown;
}

/** Prints the summary (one JSON line on stdout with --json) and keeps it under --out. */
export function emit(result: BenchResult, opts: { json: boolean; out?: string }): void {
  if (opts.out) {
    mkdirSync(opts.out, { recursive: true });
    writeFileSync(join(opts.out, `${result.scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
    log(`results written to ${join(opts.out, `${result.scenario}.json`)}`);
  }
  for (const b of result.bars) {
    log(
      `bar ${b.bar}: measured ${b.measured ?? 'n/a'} ${b.unit} (seed < ${b.limit} ${b.unit}) → ${b.met === null ? 'n/a' : b.met ? 'met' : 'MISSED'}`,
    );
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
}

export function bar(name: string, limit: number, unit: string, measured: number | null) {
  return { bar: name, limit, unit, measured, met: measured === null ? null : measured < limit };
}
