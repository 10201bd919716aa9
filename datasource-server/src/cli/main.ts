#!/usr/bin/env node
import { Command } from 'commander';
import { serve } from './serve';

const program = new Command()
  .name('voice-agent')
  .description('Magnificent Worldwide Voice Agent: API server and operations commands')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the voice-agent-api (configuration from the environment; see README)')
  .option('-p, --port <port>', 'listen port (overrides PORT)')
  .action((opts: { port?: string }) => serve(opts));

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`voice-agent: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
