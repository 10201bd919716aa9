import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Registry } from 'prom-client';
import { openStores, type StoreName, type Stores } from '@mwva/voice-core';
import { freePort, waitFor } from '@mwva/testkit';
import { runCli, type CliRun } from './helpers/process';

const SERVICES = resolve(__dirname, '../../deploy/local/services.sh');
const STORE_ENV = [
  'NEON_DATABASE_URL',
  'NEON_READ_REPLICA_URL',
  'MONGODB_URI',
  'NEO4J_URI',
  'CHROMA_HOST',
  'REDIS_URL',
];

function services(...args: string[]): void {
  execFileSync('bash', [SERVICES, ...args], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 240_000 });
}

function storeEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of [...STORE_ENV, 'NEO4J_USER', 'NEO4J_PASSWORD']) {
    const value = process.env[name];
    if (value === undefined && STORE_ENV.includes(name)) {
      throw new Error(
        `${name} is not set: run \`eval "$(bash deploy/local/services.sh up)"\` before npm run test:stack`,
      );
    }
    if (value) env[name] = value;
  }
  return env;
}

interface Readyz {
  status: string;
  stores: { store: StoreName; kind: string; ok: boolean; error?: string }[];
}

/**
 * Kill one real server under a running API: operations fail naming the store, /readyz turns
 * 503 naming it, and both recover by themselves once the server is back — no restart of ours.
 */
describe('store outage and recovery (real servers, real API process)', () => {
  let run: CliRun;
  let base: string;
  let stores: Stores;
  const dataDir = mkdtempSync(join(tmpdir(), 'mwva-outage-'));

  beforeAll(async () => {
    const env = storeEnv();
    const port = await freePort();
    run = runCli(['serve'], { ...env, DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 60_000, 'API ready');
    stores = await openStores(
      {
        dataDir: null,
        postgres: { url: env.NEON_DATABASE_URL! },
        mongodb: { uri: env.MONGODB_URI! },
        neo4j: { uri: env.NEO4J_URI!, user: env.NEO4J_USER, password: env.NEO4J_PASSWORD },
        chroma: { host: env.CHROMA_HOST! },
        redis: { url: env.REDIS_URL! },
      },
      new Registry(),
    );
  }, 90_000);

  afterAll(async () => {
    await stores?.close();
    run?.child.kill('SIGTERM');
    await run?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000); // the API drains gracefully

  async function readyz(): Promise<{ status: number; body: Readyz }> {
    // An API that died is a failure of its own: say so, with what it printed.
    if (run.child.exitCode !== null || run.child.signalCode !== null) {
      throw new Error(`the API exited (${run.child.exitCode ?? run.child.signalCode}):\n${run.output().slice(-3000)}`);
    }
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as Readyz };
  }

  const cases: { service: string; store: StoreName; op: (s: Stores) => Promise<unknown> }[] = [
    { service: 'redis', store: 'redis', op: (s) => s.state.get('outage-probe') },
    { service: 'postgres', store: 'postgres', op: (s) => s.calls.getCall('outage-probe') },
    { service: 'ferretdb', store: 'mongodb', op: (s) => s.transcripts.getTranscript('outage-probe') },
    { service: 'chroma', store: 'chroma', op: (s) => s.vectors.count('outage_probe') },
    { service: 'neo4j', store: 'neo4j', op: (s) => s.graph.getArms('outage-probe') },
  ];

  it.each(cases)(
    'stopping $service: operations fail naming $store, /readyz 503 names it, then all recovers',
    async ({ service, store, op }) => {
      expect((await readyz()).status).toBe(200);
      await op(stores);

      services('stop', service);
      try {
        await expect(op(stores)).rejects.toThrow(new RegExp(`^\\[${store}\\] `));
        const down = await waitFor(
          async () => {
            const r = await readyz();
            return r.status === 503 ? r : undefined;
          },
          20_000,
          `/readyz 503 while ${service} is down`,
        );
        expect(down.body.status).toBe('not_ready');
        expect(down.body.stores.filter((s) => !s.ok).map((s) => s.store)).toEqual([store]);
        expect(down.body.stores.find((s) => s.store === store)?.error).toBeTruthy();
      } finally {
        services('start', service);
      }

      const started = Date.now();
      await waitFor(
        async () => ((await readyz()).status === 200 ? true : undefined),
        90_000,
        `/readyz 200 after ${service} is back`,
      );
      await waitFor(
        async () =>
          await op(stores)
            .then(() => true)
            .catch(() => undefined),
        30_000,
        `${store} operations after restart`,
      );
      process.stderr.write(`${service}: API ready again ${Date.now() - started} ms after the server was started\n`);
    },
    240_000,
  );
});
