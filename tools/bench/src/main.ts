#!/usr/bin/env node
import { Command, Option } from 'commander';
import { parseIntOption } from '@mwva/datasource-server';
import { redactCredentials } from '@mwva/voice-core';
import { renderCharts } from './charts/render';
import { installInterruptHandlers } from './support/cleanup';
import { log } from './support/report';
import { benchBackup, type BenchBackupOptions } from './scenarios/backup';
import { dialScenario } from './scenarios/dial';
import { failoverScenario } from './scenarios/failover';
import { queriesScenario } from './scenarios/queries';
import { soakScenario } from './scenarios/soak';
import { webhooksScenario } from './scenarios/webhooks';

const num = (name: string, min: number, max = Number.MAX_SAFE_INTEGER) => parseIntOption(name, min, max);
const positive = (name: string) => (raw: string) => {
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};

/** The exact command line, for the report. */
function commandLine(): string {
  return `npm run bench -- ${process.argv.slice(2).join(' ')}`;
}

/** Runs a scenario; a thrown error fails the command with its message (exit 1). */
function run(fn: () => Promise<unknown>): Promise<void> {
  installInterruptHandlers();
  return fn().then(() => undefined);
}

/**
 * `npm run bench -- <scenario>`: the performance scenarios of docs/BENCHMARKS.md. A tool beside
 * the product: it starts the compiled server (`datasource-server/dist`) as the replicas.
 */
const bench = new Command()
  .name('bench')
  .description('performance scenarios on the real stores, each against a baseline measured in the same run')
  .showHelpAfterError()
  // Usage errors exit 2, a failed scenario 1 (as voice-agent does).
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2));

bench
  .command('webhooks')
  .description(
    'N concurrent simulated calls through nginx to 3 replicas, then a ramp to the ceiling vs bare node:http and Ed25519',
  )
  .option('--calls <n>', 'simulated calls', num('calls', 1), 1000)
  .option('--concurrency <n>', 'calls in progress at once', num('concurrency', 1), 1000)
  .option('--time-scale <x>', 'real seconds per simulated second', positive('time-scale'), 1)
  .option('--start-rate <n>', 'calls started per second at most', num('start-rate', 0), 100)
  .option('--ramp-step <s>', 'seconds per ramp step', num('ramp-step', 1), 8)
  .option('--ramp-max <n>', 'highest webhook rate tried on the replicas (req/s)', num('ramp-max', 10), 3000)
  .option('--no-ramp', 'skip the ceiling ramps')
  .option('--cpu-prof <dir>', 'write V8 CPU profiles of the replicas to this folder')
  .option('--out <dir>', 'also write the JSON result to DIR/webhooks.json')
  .option('--json', 'print the result as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    run(() =>
      webhooksScenario(
        {
          calls: opts.calls as number,
          concurrency: opts.concurrency as number,
          timeScale: opts.timeScale as number,
          startRate: opts.startRate as number,
          rampStepS: opts.rampStep as number,
          rampMaxRate: opts.rampMax as number,
          ramp: opts.ramp as boolean,
          cpuProf: opts.cpuProf as string | undefined,
          json: opts.json as boolean,
          out: opts.out as string | undefined,
        },
        commandLine(),
      ),
    ),
  );

bench
  .command('dial')
  .description('outbound call initiation: POST /api/calls → dial request at the carrier, steady and in a burst')
  .option('--rate <n>', 'dials per second in the steady phase', num('rate', 1, 1000), 30)
  .option('--seconds <s>', 'length of the steady phase', num('seconds', 1), 20)
  .option('--burst <n>', 'dials posted at once in the burst phase', num('burst', 1), 1000)
  .option('--time-scale <x>', 'real seconds per simulated second (calls end sooner)', positive('time-scale'), 0.05)
  .option('--out <dir>', 'also write the JSON result to DIR/dial.json')
  .option('--json', 'print the result as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    run(() =>
      dialScenario(
        {
          rate: opts.rate as number,
          seconds: opts.seconds as number,
          burst: opts.burst as number,
          timeScale: opts.timeScale as number,
          json: opts.json as boolean,
          out: opts.out as string | undefined,
        },
        commandLine(),
      ),
    ),
  );

bench
  .command('queries')
  .description('every dashboard query kind through POST /api/grafana/query vs the same SQL run directly, per data size')
  .option(
    '--sizes <list>',
    'calls in the database, comma-separated (one fresh database each)',
    sizeList,
    [365_000, 10_000_000],
  )
  .option('--days <n>', 'days the calls are spread over (ending now)', num('days', 1, 400), 365)
  .option('--iterations <n>', 'measured requests per query', num('iterations', 1), 20)
  .option('--admin-url <url>', 'superuser URL for CREATE/DROP DATABASE (default: the local primary socket)')
  .option('--logged', 'keep the bulk tables WAL-logged and read from the read replica', false)
  .option('--out <dir>', 'also write the JSON result to DIR/queries.json')
  .option('--json', 'print the result as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    run(() =>
      queriesScenario(
        {
          sizes: opts.sizes as number[],
          days: opts.days as number,
          iterations: opts.iterations as number,
          adminUrl: opts.adminUrl as string | undefined,
          logged: opts.logged as boolean,
          json: opts.json as boolean,
          out: opts.out as string | undefined,
        },
        commandLine(),
      ),
    ),
  );

bench
  .command('failover')
  .description(
    'under load on private servers: kill a replica, restart Redis, crash + promote Postgres, stop FerretDB/Neo4j/Chroma',
  )
  .option('--rate <n>', 'signed webhooks per second through nginx during the run', num('rate', 1), 100)
  .option('--outage <s>', 'seconds each service stays down', num('outage', 1), 5)
  .option('--settle <s>', 'seconds of steady load between incidents', num('settle', 1), 5)
  .option('--out <dir>', 'also write the JSON result to DIR/failover.json')
  .option('--json', 'print the result as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    run(() =>
      failoverScenario(
        {
          rate: opts.rate as number,
          outageS: opts.outage as number,
          settleS: opts.settle as number,
          json: opts.json as boolean,
          out: opts.out as string | undefined,
        },
        commandLine(),
      ),
    ),
  );

bench
  .command('soak')
  .description("the seed's daily call volume compressed into --minutes; memory must stay flat")
  .option('--calls <n>', 'calls over the whole run', num('calls', 1), 1000)
  .option('--minutes <n>', 'length of the run', positive('minutes'), 30)
  .option('--time-scale <x>', 'real seconds per simulated second', positive('time-scale'), 1)
  .option('--sample <s>', 'seconds between memory samples', num('sample', 1), 5)
  .option('--out <dir>', 'also write the JSON result to DIR/soak.json')
  .option('--json', 'print the result as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    run(() =>
      soakScenario(
        {
          calls: opts.calls as number,
          minutes: opts.minutes as number,
          timeScale: opts.timeScale as number,
          sampleS: opts.sample as number,
          json: opts.json as boolean,
          out: opts.out as string | undefined,
        },
        commandLine(),
      ),
    ),
  );

bench
  .command('backup')
  .description('time backup and restore of generated data (SQL generator, not the API); prints JSON')
  .option('--calls <n>', 'calls to generate', num('calls', 1, 100_000_000), 1_000_000)
  .option('--postgres-url <url>', 'an EMPTY Postgres database to fill and back up (default: embedded PGlite)')
  .option('--restore-url <url>', 'an EMPTY Postgres database to restore into (with --postgres-url)')
  .addOption(
    new Option('--postgres-method <method>', 'how Postgres is backed up')
      .choices(['auto', 'pg_dump', 'logical'])
      .default('auto'),
  )
  .option('--dir <dir>', 'work folder (default: a temporary one, removed afterwards)')
  .action((opts: Omit<BenchBackupOptions, 'progress' | 'log'>) =>
    run(async () => {
      const result = await benchBackup({ ...opts, log });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    }),
  );

bench
  .command('report')
  .description('render SVG charts from the JSON results (written with --out)')
  .option('--results <dir>', 'folder of <scenario>.json results', 'bench-results')
  .option('--charts <dir>', 'where the SVG files go', 'docs/charts')
  .action((opts: { results: string; charts: string }) => {
    for (const f of renderCharts(opts.results, opts.charts)) log(`chart ${f}`);
  });

function sizeList(raw: string): number[] {
  const sizes = raw.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--sizes must be whole numbers, e.g. 365000,10000000');
  return sizes;
}

bench.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`bench: ${redactCredentials(message)}\n`);
  process.exit(1);
});
