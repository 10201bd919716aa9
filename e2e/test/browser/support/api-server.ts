/** Starts a live voice-agent-api (datasource-server) in simulation mode, as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '../../../..');

export interface ApiServer {
  url: string;
  token: string;
  output: () => string;
  /** POST /api/grafana/query straight to the server (with the token), as a check on what pages show. */
  query: (body: unknown) => Promise<{ results: Record<string, { frames?: Frame[]; error?: string }> }>;
  stop: () => Promise<void>;
}

export interface Frame {
  schema: { name?: string; fields: Array<{ name: string; type: string; labels?: Record<string, string> }> };
  data: { values: unknown[][] };
}

/** Client for a server that is already running (BROWSER_API_URL + BROWSER_API_TOKEN, e.g. staging). */
function client(url: string, token: string, output: () => string, stop: () => Promise<void>): ApiServer {
  return {
    url,
    token,
    output,
    query: async (body) => {
      const r = await fetch(`${url}/api/grafana/query`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!r.ok) {
        throw new Error(`POST /api/grafana/query: HTTP ${r.status} ${await r.text()}`);
      }
      return r.json();
    },
    stop,
  };
}

/**
 * History before the server starts, as `voice-agent demo` leaves it: BROWSER_DEMO_DAYS days (default
 * 7, about 40 s; the committed screenshots use 30) of BROWSER_DEMO_CALLS_PER_DAY calls (default 20).
 */
async function backfillDemo(main: string, dataDir: string): Promise<void> {
  const days = process.env.BROWSER_DEMO_DAYS ?? '7';
  const perDay = process.env.BROWSER_DEMO_CALLS_PER_DAY ?? '20';
  const child = spawn(
    process.execPath,
    [main, 'demo', '--days', days, '--calls-per-day', perDay, '--data-dir', dataDir],
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`voice-agent demo exited ${code}:\n${out.slice(-4000)}`);
}

export async function startApiServer(port: number): Promise<ApiServer> {
  if (process.env.BROWSER_API_URL) {
    return client(
      process.env.BROWSER_API_URL,
      process.env.BROWSER_API_TOKEN ?? '',
      () => '',
      async () => {},
    );
  }
  const main = path.join(REPO, 'datasource-server/dist/cli/main.js');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mwva-browser-'));
  await backfillDemo(main, dataDir);
  const token = `browser-test-token-${process.pid}-${Date.now()}`;
  const child: ChildProcess = spawn(process.execPath, [main, 'serve'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      API_TOKEN: token,
      SIMULATION_CALLS_PER_MINUTE: '60',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-50_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never leave the server behind, even if the test run dies.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`datasource-server exited (${child.exitCode}) before it was ready:\n${out}`);
    }
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`datasource-server was not ready within 120 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  return client(
    url,
    token,
    () => out,
    async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  );
}
