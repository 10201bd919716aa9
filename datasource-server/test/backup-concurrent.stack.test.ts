import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { backup, openStores } from '@mwva/voice-core';
import { loadEnv } from '../src/config/env';
import { storeOptionsFromEnv } from '../src/stores';
import { startTestServer, type TestServer } from './helpers/server';
import { runCli } from './helpers/process';
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
 * A backup taken while simulated calls keep arriving completes, and its restore is consistent
 * as deploy/backup/README.md promises: Postgres is one snapshot (rollups count exactly the
 * calls marked counted), and the stores read after it are at least as new (every counted call
 * has its graph credit and its transcript).
 */
describe('backup under concurrent writes (real servers)', () => {
  let source: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let target: Awaited<ReturnType<typeof createPostgresDatabase>>;
  const mongoSource = mongoDatabase('voice_backup_live');
  const mongoTarget = mongoDatabase('voice_backup_live');
  let ownNeo4j: OwnServer;
  let ownChroma: OwnServer;
  const work = mkdtempSync(join(tmpdir(), 'mwva-backup-live-'));

  const env = (pgUrl: string, mongoUri: string): Record<string, string> =>
    backupStackEnv({ pgUrl, mongoUri, neo4j: ownNeo4j, chroma: ownChroma, dataDir: join(work, 'data') });

  beforeAll(async () => {
    const settled = await Promise.allSettled([
      createPostgresDatabase('voice_backup_live').then((x) => (source = x)),
      createPostgresDatabase('voice_backup_live').then((x) => (target = x)),
      startOwnNeo4j().then((x) => (ownNeo4j = x)),
      startOwnChroma().then((x) => (ownChroma = x)),
    ]);
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  });

  afterAll(async () => {
    await Promise.allSettled([
      source?.drop(),
      target?.drop(),
      mongoSource.drop(),
      mongoTarget.drop(),
      ownNeo4j?.stop(),
      ownChroma?.stop(),
    ]);
    rmSync(work, { recursive: true, force: true });
  });

  it('completes while calls are written, and restores to a consistent state', async () => {
    const sourceEnv = env(source.url, mongoSource.uri);
    const finalized = new Set<string>();
    const server: TestServer = await startTestServer(sourceEnv, {
      simulator: { seed: 5, timeScale: 0.05 },
      onFinalized: (id) => void finalized.add(id),
    });
    let placed = 0;
    let traffic = true;
    let dir: string;
    try {
      // Calls keep starting (about 10 in flight) for the whole backup.
      const load = (async () => {
        while (traffic) {
          if (placed - finalized.size < 10) {
            await server.voice.carrier!.placeInboundCall();
            placed += 1;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      while (finalized.size < 10) await new Promise((r) => setTimeout(r, 100));
      const finalizedBefore = finalized.size;
      const taken = runCli(
        ['backup', '--out', join(work, 'backups'), '--postgres-method', 'logical', '--json'],
        sourceEnv,
      );
      const code = await taken.exited;
      const finalizedDuring = finalized.size - finalizedBefore;
      traffic = false;
      await load;
      expect({ code, out: code === 0 ? 'ok' : taken.output() }).toEqual({ code: 0, out: 'ok' });
      dir = (JSON.parse(taken.output().trim().split('\n').pop()!) as { dir: string }).dir;
      // The backup really overlapped with writes (calls were finalized while it ran, or after).
      expect(finalizedDuring + placed - finalized.size).toBeGreaterThan(0);
      const deadline = Date.now() + 60_000;
      while (finalized.size < placed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      await server.voice.engine.idle();
    } finally {
      traffic = false;
      await server.stop();
    }

    // Restore into fresh Postgres and Mongo databases; our Neo4j and Chroma are emptied first.
    const driver = neo4j.driver(ownNeo4j.url);
    await driver.executeQuery('MATCH (n) DETACH DELETE n');
    const targetEnv = env(target.url, mongoTarget.uri);
    const { ChromaClient } = await import('chromadb');
    const chroma = new ChromaClient({ host: '127.0.0.1', port: Number(new URL(ownChroma.url).port) });
    for (const c of await chroma.listCollections()) await chroma.deleteCollection({ name: c.name });
    const restored = runCli(['restore', '--from', dir], targetEnv);
    expect(await restored.exited).toBe(0);

    // 1. Postgres is one snapshot: the rollups count exactly the calls marked as counted.
    const pg = new Client({ connectionString: target.url });
    await pg.connect();
    let counted: string[];
    try {
      const { rows } = await pg.query(
        `select (select coalesce(sum(calls), 0)::int from call_rollups) as rolled,
                (select count(*)::int from call_rollup_applied) as applied`,
      );
      expect(rows[0].rolled).toBe(rows[0].applied);
      expect(rows[0].applied).toBeGreaterThanOrEqual(10);
      counted = (
        await pg.query(
          `select c.id from calls c join call_rollup_applied a on a.call_id = c.id where c.answered_at is not null`,
        )
      ).rows.map((r) => r.id as string);
    } finally {
      await pg.end();
    }
    expect(counted.length).toBeGreaterThan(0);

    // 2. Stores read after Postgres are at least as new: every counted call has its credit and its transcript.
    const credits = await driver.executeQuery('MATCH (c:Credit) WHERE c.id IN $ids RETURN count(c) AS n', {
      ids: counted,
    });
    expect(Number(credits.records[0]!.get('n'))).toBe(counted.length);
    await driver.close();
    const stores = await openStores(storeOptionsFromEnv(loadEnv(targetEnv)), new Registry());
    try {
      for (const id of counted) expect((await stores.transcripts.getTranscript(id)).length).toBeGreaterThan(0);
      // 3. And the system runs on it: the API's own queries answer.
      expect((await stores.health()).every((h) => h.ok)).toBe(true);
    } finally {
      await stores.close();
    }
    const manifest = await backup.readManifest(dir);
    expect(manifest.order).toEqual(['postgres', 'mongodb', 'neo4j', 'chroma']);
  });
});
