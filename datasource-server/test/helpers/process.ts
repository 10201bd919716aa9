import { join } from 'node:path';
import { spawnLogged, type Spawned } from '@mwva/testkit';

/** The compiled CLI: `npm test` runs `tsc -b` first, so tests exercise what ships. */
export const CLI = join(__dirname, '..', '..', 'dist', 'cli', 'main.js');

export type CliRun = Spawned;

/** `voice-agent <args>` with only PATH and `env` in its environment (no stray store URLs). */
export function runCli(args: string[], env: Record<string, string>): CliRun {
  return spawnLogged(process.execPath, [CLI, ...args], { PATH: process.env.PATH ?? '', LOG_LEVEL: 'warn', ...env });
}
