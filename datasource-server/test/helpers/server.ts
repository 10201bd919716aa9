import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv, startServer, createLogger, type RunningServer } from '@mwva/datasource-server';
import type { ServerOptions } from '../../src/server';

export const TEST_TOKEN = 'test-token-0123456789abcdef';

export interface TestServer extends RunningServer {
  /** `fetch` against this server with the API token. */
  api(path: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

/** A real server in this process: embedded stores in a temp folder, nothing from the outer environment. */
export async function startTestServer(
  env: Record<string, string> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mwva-test-'));
  const config = loadEnv({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    API_TOKEN: TEST_TOKEN,
    LOG_LEVEL: 'silent',
    SIMULATION_CALLS_PER_MINUTE: '0',
    ...env,
  });
  const server = await startServer(config, createLogger(config.LOG_LEVEL), { trickle: false, ...options });
  return {
    ...server,
    api: (path, init = {}) =>
      fetch(`${server.url}${path}`, {
        ...init,
        headers: { Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', ...(init.headers ?? {}) },
      }),
    async stop() {
      await server.shutdown('test done');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The value of the first sample of `name` carrying all `labels` in Prometheus text, or 0. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text
    .split('\n')
    .find(
      (l) =>
        (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) &&
        Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)),
    );
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}
