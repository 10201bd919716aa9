import { createServer, request as httpRequest, Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from '@mwva/testkit';
import { runCli, type CliRun } from './helpers/process';

/** `voice-agent serve` as a real process: start-up, token, config errors, graceful SIGTERM. */
describe('voice-agent serve (process)', () => {
  let dataDir: string;
  const running: CliRun[] = [];

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'mwva-serve-'));
  });

  afterEach(async () => {
    for (const run of running.splice(0)) {
      run.child.kill('SIGKILL');
      await run.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}) {
    const port = await freePort();
    const run = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', ...env });
    running.push(run);
    const base = `http://127.0.0.1:${port}`;
    await waitFor(
      async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
      30_000,
      'readyz 200',
    );
    return { run, base };
  }

  it('stops with one clear line naming a bad variable, before opening anything', async () => {
    const run = runCli(['serve'], { DATA_DIR: dataDir, CALL_CAPACITY: 'many' });
    running.push(run);
    expect(await run.exited).toBe(2);
    expect(run.output().trim()).toBe(
      'voice-agent: Invalid configuration: CALL_CAPACITY: expected a whole number (got "many")',
    );
  });

  it('refuses a second server on the same DATA_DIR with one line naming the one that holds it', async () => {
    const first = await start();
    const second = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(await freePort()), HOST: '127.0.0.1' });
    running.push(second);
    expect(await second.exited).toBe(1);
    const lines = second.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^voice-agent: the embedded data directory .+ is in use by voice-agent serve \\(pid ${first.run.child.pid} on `,
      ),
    );
    // The first one is untouched and still answers.
    expect((await fetch(`${first.base}/readyz`)).status).toBe(200);
  }, 60_000);

  it('names the port and PORT in one line when the port is taken', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      const run = runCli(['serve'], { DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
      running.push(run);
      expect(await run.exited).toBe(1);
      expect(run.output().trim()).toBe(
        `voice-agent: port ${port} on 127.0.0.1 is already in use: stop what holds it, or set PORT to a free port`,
      );
    } finally {
      taken.close();
    }
  }, 60_000);

  it('prints its version, and exits 2 on a usage error', async () => {
    const version = runCli(['--version'], {});
    running.push(version);
    expect(await version.exited).toBe(0);
    expect(version.output().trim()).toBe(
      (JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as { version: string }).version,
    );
    const usage = runCli(['serve', '--no-such-option'], {});
    running.push(usage);
    expect(await usage.exited).toBe(2);
    expect(usage.output()).toMatch(/unknown option '--no-such-option'/);
  }, 60_000);

  it('refuses to start in production without API_TOKEN', async () => {
    const run = runCli(['serve'], { DATA_DIR: dataDir, NODE_ENV: 'production' });
    running.push(run);
    expect(await run.exited).toBe(2);
    expect(run.output()).toMatch(/API_TOKEN: required when NODE_ENV=production/);
  });

  it('generates a token once, prints it, keeps it in the data folder across restarts', async () => {
    const first = await start();
    const token = readFileSync(join(dataDir, 'api-token'), 'utf8').trim();
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(first.run.output()).toContain(`API token (kept in ${dataDir}/api-token): ${token}`);
    first.run.child.kill('SIGTERM');
    expect(await first.run.exited).toBe(0);

    const second = await start();
    expect(readFileSync(join(dataDir, 'api-token'), 'utf8').trim()).toBe(token);
    const authed = await fetch(`${second.base}/api/none`, { headers: { Authorization: `Bearer ${token}` } });
    expect(authed.status).toBe(404);
    expect((await fetch(`${second.base}/api/none`)).status).toBe(401);
  }, 60_000);

  it('on SIGTERM: readiness 503 first, in-flight requests finish, then exit 0', async () => {
    const { run, base } = await start({ API_TOKEN: 'a-long-enough-test-token', SHUTDOWN_DELAY_MS: '1500' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const port = Number(new URL(base).port);

    // Keep one connection open to watch readiness after the listener stops taking new ones.
    const ready = await get(agent, port, '/readyz');
    expect(ready.status).toBe(200);

    // An in-flight request: its body is still arriving when SIGTERM lands.
    const inflight = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/slow',
          headers: { Authorization: 'Bearer a-long-enough-test-token', 'Content-Type': 'application/json' },
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write('{"part":');
      setTimeout(() => req.end('"two"}'), 2500);
    });

    await new Promise((r) => setTimeout(r, 200));
    run.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    const draining = await get(agent, port, '/readyz');
    expect(draining.status).toBe(503);
    expect(JSON.parse(draining.body).status).toBe('draining');

    const finished = await inflight;
    expect(finished.status).toBe(404);
    expect(JSON.parse(finished.body)).toEqual({ error: 'no route for POST /api/slow' });
    expect(await run.exited).toBe(0);
    agent.destroy();
  }, 60_000);
});

function get(agent: Agent, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}
