#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { redactCredentials, setLockCommand } from '@mwva/voice-core';
import { registerBackupCommands } from './backup';
import { registerBackupScheduleCommand } from './backup-schedule';
import { applySecretFiles } from '../config/secret-files';
import { registerDeadLetterCommands } from './dead-letters';
import { demo } from './demo';
import { learnEval } from './learn-eval';
import { parseIntOption, parseRateOption, parseScaleOption } from './progress';
import { seed } from './seed';
import { serve } from './serve';
import { simulate } from './simulate';

const program = new Command()
  .name('voice-agent')
  .description('Magnificent Worldwide Voice Agent: API server and operations commands')
  .version(packageVersion(), '-V, --version', 'print the version')
  .showHelpAfterError()
  // Exit codes: 0 done (and --help, --version), 1 the command failed, 2 a usage or configuration
  // error. Set before any subcommand is added, so that every subcommand inherits it.
  .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
  // Secrets mounted as files (NAME_FILE) become NAME before any command reads its config;
  // the lock on an embedded data directory names the command that holds it.
  .hook('preAction', (_program, action) => {
    applySecretFiles();
    setLockCommand(commandPath(action));
  });

program
  .command('serve')
  .description('run the voice-agent-api (configuration from the environment; see README)')
  .option('-p, --port <port>', 'listen port (overrides PORT)')
  .action((opts: { port?: string }) => serve(opts));

program
  .command('seed')
  .description('load the playbook into the learning graph and vector store (idempotent; stores from the environment)')
  .action(() => seed());

program
  .command('simulate')
  .description('run simulated calls through the voice core and print a summary (exit 1 on errors)')
  .option('--calls <n>', 'calls to run', parseIntOption('calls', 1, 1_000_000), 100)
  .option('--concurrency <n>', 'calls in progress at once', parseIntOption('concurrency', 1, 100_000), 50)
  .option('--seed <n>', 'prospects, their choices and faults are drawn from this seed', parseIntOption('seed', 0), 1)
  .option(
    '--outbound-ratio <r>',
    'share of calls dialled out (the rest come in)',
    parseRateOption('outbound-ratio'),
    0.5,
  )
  .option(
    '--time-scale <x>',
    'real seconds per simulated second (1 = real time; 0.03 = about thirty times faster)',
    parseScaleOption('time-scale'),
    0.03,
  )
  .option('--real-time', 'calls last as long as real ones (--time-scale 1; what load tests need)', false)
  .option('--data-dir <dir>', 'keep the embedded stores here (default: DATA_DIR, else ./data)')
  .option('--duplicate-rate <r>', 'share of webhooks delivered twice', parseRateOption('duplicate-rate'), 0)
  .option('--reorder-rate <r>', 'share of webhooks delivered out of order', parseRateOption('reorder-rate'), 0)
  .option(
    '--command-error-rate <r>',
    'share of carrier commands answered 5xx',
    parseRateOption('command-error-rate'),
    0,
  )
  .option(
    '--start-rate <n>',
    'calls started per second at most (0 = all at once)',
    parseIntOption('start-rate', 0),
    100,
  )
  .option('--timeout <s>', 'give up after this many seconds', parseIntOption('timeout', 1), 900)
  .option('--target <url>', 'drive a running server instead of an embedded one')
  .option('--listen <addr>', 'with --target: carrier API address', '127.0.0.1:0')
  .option('--key-file <file>', 'with --target: Ed25519 private key (PEM) to sign webhooks; created when missing')
  .option('--api-key <key>', 'with --target: the API key the server sends (default TELNYX_API_KEY)')
  .option('--connection-id <id>', 'with --target: the Call Control connection id (default TELNYX_CONNECTION_ID)')
  .option('--json', 'print the summary as one JSON line on stdout', false)
  .action((opts: Record<string, unknown>) =>
    simulate({
      calls: opts.calls as number,
      concurrency: opts.concurrency as number,
      seed: opts.seed as number,
      json: opts.json as boolean,
      outboundRatio: opts.outboundRatio as number,
      timeScale: opts.realTime ? 1 : (opts.timeScale as number),
      dataDir: (opts.dataDir as string | undefined) ?? process.env.DATA_DIR ?? './data',
      duplicateRate: opts.duplicateRate as number,
      reorderRate: opts.reorderRate as number,
      commandErrorRate: opts.commandErrorRate as number,
      timeoutS: opts.timeout as number,
      startRate: opts.startRate as number,
      target: opts.target as string | undefined,
      listen: opts.listen as string,
      keyFile: opts.keyFile as string | undefined,
      apiKey: opts.apiKey as string | undefined,
      connectionId: opts.connectionId as string | undefined,
    }),
  );

program
  .command('demo')
  .description('backfill days of simulated calls through the real engine, at the times they would have happened')
  .option('--days <n>', 'days to backfill, up to now', parseIntOption('days', 0, 365), 30)
  .option(
    '--calls-per-day <n>',
    'calls on a weekday at the end of the period (weekends have a third; the period grows into it)',
    parseIntOption('calls-per-day', 1, 5000),
    60,
  )
  .option('--seed <n>', 'prospects and their choices are drawn from this seed', parseIntOption('seed', 0), 7)
  .option('--data-dir <dir>', 'embedded stores to fill (default: DATA_DIR, else ./data)')
  .option(
    '--time-scale <x>',
    'real seconds per simulated second while calls run (the clock then runs 1/x times fast)',
    parseScaleOption('time-scale'),
    0.01,
  )
  .action((opts: { days: number; callsPerDay: number; seed: number; dataDir?: string; timeScale: number }) =>
    demo({
      days: opts.days,
      callsPerDay: opts.callsPerDay,
      seed: opts.seed,
      timeScale: opts.timeScale,
      dataDir: opts.dataDir ?? process.env.DATA_DIR ?? './data',
    }),
  );

program
  .command('learn-eval')
  .description('measure learning: the learning policy vs random vs oracle on the same seeded prospects')
  .option('--calls <n>', 'calls per policy', parseIntOption('calls', 1, 1_000_000), 5000)
  .option('--seed <n>', 'seed of the prospects and their hidden preferences', parseIntOption('seed', 0), 1)
  .option('--window <n>', 'calls per reported window', parseIntOption('window', 1), 500)
  .option('--json', 'print the result as one JSON line on stdout', false)
  .option('--svg <file>', 'also write the learning curve as an SVG chart')
  .action((opts: { calls: number; seed: number; window: number; json: boolean; svg?: string }) => learnEval(opts));

registerBackupCommands(program);
registerBackupScheduleCommand(program);

registerDeadLetterCommands(program);

function packageVersion(): string {
  // dist/cli/main.js and src/cli/main.ts both sit two folders below the package.
  return (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
}

function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`voice-agent: ${redactCredentials(message)}\n`);
  process.exit(1);
});
