import { truncateSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChromaClient } from 'chromadb';
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { backup, openStores, type Stores, type TimeRange } from '@mwva/voice-core';
import { loadEnv } from '../src/config/env';
import { storeOptionsFromEnv } from '../src/stores';
import { startTestServer } from './helpers/server';
import { runCli } from './helpers/process';
import { dashboardView, seedThroughVoiceCore } from '../../voice-core/test/backup/fixtures';
import {
  backupStackEnv,
  createPostgresDatabase,
  mongoDatabase,
  startOwnChroma,
  startOwnNeo4j,
  type OwnServer,
} from '@mwva/testkit';

jest.setTimeout(300_000);

/**
 * The whole system on the real servers: simulated calls through the API (real SDK, real
 * webhooks) plus seeded data → `voice-agent backup` (the compiled CLI the CronJob runs) →
 * every store wiped → `voice-agent restore` → every store equal by content (the restore's
 * own digest check, and our dashboard/graph/transcript reads compared field by field).
 */
describe('backup round trip on the real servers (Postgres, FerretDB, Neo4j, Chroma)', () => {
  let pg: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let mongo: ReturnType<typeof mongoDatabase>;
  let ownNeo4j: OwnServer;
  let ownChroma: OwnServer;
  const work = mkdtempSync(join(tmpdir(), 'mwva-backup-stack-'));
  let callIds: string[] = [];
  let nowRange: TimeRange;
  let before: { fixed: unknown; live: unknown };

  const env = (): Record<string, string> =>
    backupStackEnv({
      pgUrl: pg.url,
      mongoUri: mongo.uri,
      neo4j: ownNeo4j,
      chroma: ownChroma,
      dataDir: join(work, 'data'),
    });
  const openAll = (): Promise<Stores> => openStores(storeOptionsFromEnv(loadEnv(env())), new Registry());
  const views = async (): Promise<{ fixed: unknown; live: unknown }> => {
    const stores = await openAll();
    try {
      return {
        fixed: await dashboardView(
          stores,
          callIds.filter((id) => id.startsWith('bk-')),
        ),
        live: await dashboardView(stores, callIds, nowRange),
      };
    } finally {
      await stores.close();
    }
  };

  const wipeEverything = async (): Promise<void> => {
    await pg.recreate();
    await mongo.drop();
    const driver = neo4j.driver(ownNeo4j.url);
    try {
      await driver.executeQuery('MATCH (n) DETACH DELETE n');
      const { records } = await driver.executeQuery('SHOW CONSTRAINTS YIELD name RETURN name');
      for (const r of records) await driver.executeQuery(`DROP CONSTRAINT \`${String(r.get('name'))}\``);
    } finally {
      await driver.close();
    }
    const url = new URL(ownChroma.url);
    const chroma = new ChromaClient({ host: url.hostname, port: Number(url.port) });
    for (const c of await chroma.listCollections()) await chroma.deleteCollection({ name: c.name });
  };

  const cli = async (args: string[]): Promise<{ code: number | null; out: string }> => {
    const run = runCli(args, env());
    const code = await run.exited;
    return { code, out: run.output() };
  };

  beforeAll(async () => {
    // Each one is kept as soon as it exists, so afterAll stops whatever did start.
    const settled = await Promise.allSettled([
      createPostgresDatabase('voice_backup_test').then((x) => (pg = x)),
      startOwnNeo4j().then((x) => (ownNeo4j = x)),
      startOwnChroma().then((x) => (ownChroma = x)),
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    mongo = mongoDatabase('voice_backup_test');
    const started = Date.now();
    // 30 simulated calls, 10 at a time, through the real API on these stores.
    const finalized = new Set<string>();
    const server = await startTestServer(env(), {
      simulator: { seed: 7, timeScale: 0.05 },
      onFinalized: (id) => void finalized.add(id),
    });
    try {
      for (let wave = 0; wave < 3; wave += 1) {
        for (let i = 0; i < 10; i += 1) {
          if (i % 2 === 0) await server.voice.carrier!.placeInboundCall();
          else
            await server.voice.dialer.enqueue({
              to: `+1555020${wave}${i}00`,
              from: server.voice.defaultFrom!,
              persona: 'cfo',
              campaign: 'backup-test',
            });
        }
        const target = (wave + 1) * 10;
        const deadline = Date.now() + 120_000;
        while (finalized.size < target && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(finalized.size).toBe(target);
      }
      await server.voice.engine.idle();
    } finally {
      await server.stop();
    }
    nowRange = {
      from: new Date(started - 3_600_000).toISOString(),
      to: new Date(Date.now() + 3_600_000).toISOString(),
    };
    const stores = await openAll();
    try {
      const seeded = await seedThroughVoiceCore(stores, 8);
      callIds = [...finalized, ...seeded.map((c) => c.id)];
    } finally {
      await stores.close();
    }
    before = await views();
    expect((before.live as { calls: unknown[] }).calls.length).toBeGreaterThanOrEqual(30);
  });

  afterAll(async () => {
    await Promise.allSettled([pg?.drop(), mongo?.drop(), ownNeo4j?.stop(), ownChroma?.stop()]);
    rmSync(work, { recursive: true, force: true });
  });

  for (const method of ['pg_dump', 'logical'] as const) {
    it(`backup (Postgres ${method}) → wipe → restore gives every store back by content`, async () => {
      const out = join(work, `backups-${method}`);
      const taken = await cli(['backup', '--out', out, '--postgres-method', method, '--json']);
      expect(taken).toMatchObject({ code: 0 });
      const { dir } = JSON.parse(taken.out.trim().split('\n').pop()!) as { dir: string };
      const manifest = await backup.readManifest(dir);
      expect(manifest.order).toEqual(['postgres', 'mongodb', 'neo4j', 'chroma']);
      expect(manifest.sections[0]).toMatchObject({ store: 'postgres', method });
      const records = (store: string) => manifest.sections.find((s) => s.store === store)!.datasets;
      expect(records('mongodb').find((d) => d.name === 'transcript_turns')!.records).toBeGreaterThan(30);
      expect(
        records('neo4j')
          .map((d) => d.name)
          .sort(),
      ).toEqual(['nodes', 'relationships']);
      expect(records('chroma').length).toBeGreaterThanOrEqual(2);
      expect(await cli(['backup', 'verify', dir])).toMatchObject({ code: 0 });

      await wipeEverything();
      const restored = await cli(['restore', '--from', out]);
      expect(restored.out).toMatch(/content digests match the manifest/);
      expect(restored.code).toBe(0);
      expect(await views()).toEqual(before);

      // Restoring again over the now non-empty stores is refused and changes nothing.
      const again = await cli(['restore', '--from', dir]);
      expect(again.code).toBe(1);
      expect(again.out).toMatch(/refusing to restore over data: postgres \(.*calls/);
      expect(await views()).toEqual(before);
    });
  }

  it('a truncated pg_dump is caught by verify and by restore before anything is written', async () => {
    const out = join(work, 'backups-damaged');
    const taken = await cli(['backup', '--out', out, '--postgres-method', 'pg_dump', '--json']);
    expect(taken.code).toBe(0);
    const { dir } = JSON.parse(taken.out.trim().split('\n').pop()!) as { dir: string };
    const dump = join(dir, 'postgres', 'database.dump');
    truncateSync(dump, Math.floor(readFileSync(dump).length * 0.6));
    const verified = await cli(['backup', 'verify', dir]);
    expect(verified.code).toBe(1);
    expect(verified.out).toMatch(/database\.dump: .* bytes, the manifest says/);
    await wipeEverything();
    const restored = await cli(['restore', '--from', dir]);
    expect(restored.code).toBe(1);
    expect(restored.out).toMatch(/damaged/);
    const c = new Client({ connectionString: pg.url });
    await c.connect();
    try {
      const { rows } = await c.query(
        "select count(*)::int as n from information_schema.tables where table_schema = 'public'",
      );
      expect(rows[0].n).toBe(0);
    } finally {
      await c.end();
    }
    // And the intact backup from before still brings everything back.
    expect((await cli(['restore', '--from', join(work, 'backups-logical')])).code).toBe(0);
    expect(await views()).toEqual(before);
  });
});
