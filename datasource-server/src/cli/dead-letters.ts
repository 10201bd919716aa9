import type { Command } from 'commander';
import { openStores, type DeadLetter } from '@mwva/voice-core';
import { Registry } from 'prom-client';
import { loadEnv } from '../config/env';
import { storeOptionsFromEnv } from '../stores';
import { parseIntOption } from './progress';

/** Opens the stores of the environment for one command and closes them after. */
async function withStores<T>(fn: (stores: Awaited<ReturnType<typeof openStores>>) => Promise<T>): Promise<T> {
  const stores = await openStores(storeOptionsFromEnv(loadEnv()), new Registry());
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}

function line(d: DeadLetter): string {
  return `${d.deadAt}  ${d.event.id}  ${d.event.type.padEnd(30)}  call ${d.event.callId}  (${d.attempts} attempts) ${d.reason}`;
}

/**
 * `voice-agent dead-letters [list] | redrive`: events the recovery sweep gave up on. Re-driving
 * puts them back in the inbox with their attempts reset; the sweep of any running replica then
 * applies them (typically after the fix for whatever made them fail is deployed).
 */
export function registerDeadLetterCommands(program: Command): void {
  const cmd = program
    .command('dead-letters')
    .description('list the webhook events that could not be applied (dead letters), or re-drive them');
  cmd
    .command('list', { isDefault: true })
    .description('the newest dead letters')
    .option('--limit <n>', 'how many to show', parseIntOption('limit', 1, 100_000), 50)
    .option('--json', 'print one JSON line on stdout', false)
    .action((opts: { limit: number; json: boolean }) =>
      withStores(async (stores) => {
        const { total, newest } = await stores.analytics.deadLetters(opts.limit);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ total, deadLetters: newest })}\n`);
          return;
        }
        process.stdout.write(
          `${total} dead letter${total === 1 ? '' : 's'}${total > newest.length ? ` (newest ${newest.length})` : ''}\n`,
        );
        for (const d of newest) process.stdout.write(`${line(d)}\n`);
      }),
    );
  cmd
    .command('redrive')
    .description('put dead letters back in the inbox: every one (--all) or the named event ids')
    .argument('[eventIds...]', 'event ids (data.id) to re-drive')
    .option('--all', 're-drive every dead letter', false)
    .action((eventIds: string[], opts: { all: boolean }) => {
      if (opts.all === eventIds.length > 0) {
        throw new Error('dead-letters redrive needs either --all or one or more event ids');
      }
      return withStores(async (stores) => {
        const n = await stores.calls.redriveDeadLetters(opts.all ? 'all' : eventIds);
        process.stdout.write(
          `re-drove ${n} event${n === 1 ? '' : 's'}; the recovery sweep of a running server applies them within a minute\n`,
        );
      });
    });
}
