import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import neo4j from 'neo4j-driver';
import { Client } from 'pg';
import { REPO } from './paths';
import { freePort, spawnLogged, stopProcess } from './process';
import { waitForProcess } from './wait';
import { requireEnv } from './store-env';

/**
 * Isolated places on the real servers for backup round trips, so a wipe never touches what
 * other suites use: a fresh Postgres database (created as the superuser over the cluster's
 * Unix socket) and a fresh Mongo database on the shared servers; our own Neo4j (Community has
 * one database) and our own Chroma, started from the same launchers as deploy/local/services.sh
 * on ports 54xx and stopped afterwards.
 */
const SERVICES_DIR = process.env.SERVICES_DIR ?? '/tmp/mwva-services';

function superuser(database = 'postgres'): Client {
  const url = new URL(requireEnv('NEON_DATABASE_URL'));
  return new Client({
    host: join(SERVICES_DIR, 'postgres'),
    port: Number(url.port || 5432),
    user: 'postgres',
    database,
  });
}

export async function createPostgresDatabase(
  prefix: string,
): Promise<{ url: string; drop(): Promise<void>; recreate(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const base = new URL(requireEnv('NEON_DATABASE_URL'));
  const owner = decodeURIComponent(base.username);
  const admin = async (sql: string): Promise<void> => {
    const c = superuser();
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await admin(`create database ${name} owner "${owner}"`);
  const url = new URL(base.toString());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => admin(`drop database if exists ${name} with (force)`),
    recreate: async () => {
      await admin(`drop database if exists ${name} with (force)`);
      await admin(`create database ${name} owner "${owner}"`);
    },
  };
}

export function mongoDatabase(prefix: string): { uri: string; drop(): Promise<void> } {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(requireEnv('MONGODB_URI'));
  url.pathname = `/${name}`;
  const uri = url.toString();
  return {
    uri,
    drop: async () => {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
      await client.connect();
      try {
        await client.db(name).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

export interface OwnServer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Neo4j Community 5 from deploy/local/neo4j (built by services.sh), Bolt on 127.0.0.1:`port`.
 * The port defaults to a free one: a fixed one in the ephemeral range (32768–60999) is taken now
 * and then by an outgoing connection of a busy suite.
 */
export async function startOwnNeo4j(port?: number): Promise<OwnServer> {
  port ??= await freePort();
  const dir = join(REPO, 'deploy', 'local', 'neo4j', 'target');
  let classpath: string;
  try {
    classpath = `${join(dir, 'classes')}:${readFileSync(join(dir, 'classpath.txt'), 'utf8').trim()}`;
  } catch {
    throw new Error('the Neo4j launcher is not built: run `bash deploy/local/services.sh up neo4j` first');
  }
  const home = mkdtempSync(join(tmpdir(), 'mwva-backup-neo4j-'));
  const server = spawnLogged(
    'java',
    [
      '-Xms128m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      '-cp',
      classpath,
      'local.neo4j.Launcher',
      home,
      '127.0.0.1',
      String(port),
    ],
    process.env,
  );
  const url = `bolt://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopProcess(server, 30_000);
    rmSync(home, { recursive: true, force: true });
  };
  try {
    await waitForProcess(
      server,
      async () => {
        const driver = neo4j.driver(url, undefined, { connectionTimeout: 1000 });
        try {
          await driver.verifyConnectivity();
          return true;
        } finally {
          await driver.close();
        }
      },
      120_000,
      'our Neo4j',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** Chroma from deploy/local/chroma (npm `chromadb` CLI), on 127.0.0.1:`port` (default: a free one, as above). */
export async function startOwnChroma(port?: number): Promise<OwnServer> {
  port ??= await freePort();
  const cli = join(REPO, 'deploy', 'local', 'chroma', 'node_modules', 'chromadb', 'dist', 'cli.mjs');
  const path = mkdtempSync(join(tmpdir(), 'mwva-backup-chroma-'));
  const server = spawnLogged(
    process.execPath,
    [cli, 'run', '--path', path, '--port', String(port), '--host', '127.0.0.1'],
    process.env,
  );
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    await stopProcess(server, 30_000);
    rmSync(path, { recursive: true, force: true });
  };
  try {
    await waitForProcess(
      server,
      async () => ((await fetch(`${url}/api/v2/heartbeat`)).ok ? true : undefined),
      120_000,
      'our Chroma',
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

/** The API's environment for a backup stack test: its own Postgres/Mongo databases, Neo4j and Chroma. */
export function backupStackEnv(o: {
  pgUrl: string;
  mongoUri: string;
  neo4j: OwnServer;
  chroma: OwnServer;
  dataDir: string;
}): Record<string, string> {
  return {
    NEON_DATABASE_URL: o.pgUrl,
    MONGODB_URI: o.mongoUri,
    NEO4J_URI: o.neo4j.url,
    NEO4J_USER: 'neo4j',
    NEO4J_PASSWORD: '',
    CHROMA_HOST: o.chroma.url,
    DATA_DIR: o.dataDir,
    API_TOKEN: 'backup-test-token-0123456789',
  };
}
