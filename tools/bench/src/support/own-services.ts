import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PORTS, repoPath } from './paths';
import { spawnLogged, stopProcess, waitFor, type Spawned } from '@mwva/testkit';
import { log } from './report';

const execFileAsync = promisify(execFile);
const PG_BIN = '/usr/lib/postgresql/15/bin';
const HOST = '127.0.0.1';

/** Runs a Postgres binary as the postgres OS user when we are root (initdb refuses root). */
function asPg(bin: string, args: string[]) {
  const cmd = join(PG_BIN, bin);
  return process.getuid?.() === 0
    ? execFileAsync('runuser', ['-u', 'postgres', '--', cmd, ...args], { maxBuffer: 1 << 24 })
    : execFileAsync(cmd, args, { maxBuffer: 1 << 24 });
}

async function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: HOST, port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

/**
 * A TCP forwarder standing for the database endpoint the app is configured with (Neon's endpoint,
 * a VIP or pgbouncer in a self-hosted setup): after a promotion it points at the new primary.
 */
export class TcpEndpoint {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    public target: number,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection({ host: HOST, port: this.target });
      this.sockets.add(client).add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.pipe(upstream).pipe(client);
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, HOST, r));
  }

  /** Points new connections at `port` and cuts the old ones (as a failed primary does). */
  switchTo(port: number): void {
    this.target = port;
    for (const s of this.sockets) s.destroy();
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * Private servers for the destructive scenario (failover), on this area's ports, from the same
 * binaries as deploy/local/services.sh: a Postgres primary + synchronous streaming replica, Redis,
 * FerretDB, Chroma and Neo4j. The shared servers of services.sh are never touched.
 */
export class OwnServices {
  private readonly children = new Map<string, Spawned>();
  readonly endpoint = new TcpEndpoint(PORTS.pgPrimary + 2, PORTS.pgPrimary);

  constructor(readonly dir: string) {}

  env(): Record<string, string> {
    return {
      NEON_DATABASE_URL: `postgres://voice:voice@${HOST}:${this.endpoint.port}/voice`,
      NEON_READ_REPLICA_URL: `postgres://voice:voice@${HOST}:${PORTS.pgReplica}/voice`,
      REDIS_URL: `redis://${HOST}:${PORTS.redis}`,
      MONGODB_URI: `mongodb://${HOST}:${PORTS.ferretdb}/voice`,
      NEO4J_URI: `bolt://${HOST}:${PORTS.neo4j}`,
      NEO4J_USER: 'neo4j',
      NEO4J_PASSWORD: '',
      CHROMA_HOST: `http://${HOST}:${PORTS.chroma}`,
    };
  }

  /** The primary's URL as the app reaches it (through the endpoint). */
  get primaryUrl(): string {
    return this.env().NEON_DATABASE_URL!;
  }

  private pgDir(name: 'primary' | 'replica'): string {
    return join(this.dir, `pg-${name}`);
  }

  async startAll(): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    chmodSync(this.dir, 0o755);
    for (const p of [
      PORTS.pgPrimary,
      PORTS.pgReplica,
      PORTS.redis,
      PORTS.ferretdb,
      PORTS.chroma,
      PORTS.neo4j,
      this.endpoint.port,
    ]) {
      if (await tcpOpen(p)) throw new Error(`port ${p} is in use: another bench run? (this area's range is 5500-5599)`);
    }
    this.start('neo4j');
    this.start('chroma');
    this.start('ferretdb');
    this.start('redis');
    await this.initPrimary();
    await this.pgStart('primary');
    await this.initReplica();
    await this.pgStart('replica');
    await this.endpoint.start();
    for (const name of ['redis', 'ferretdb', 'chroma', 'neo4j'] as const) await this.waitUp(name);
    log('own services: postgres primary + sync replica, redis, ferretdb, chroma, neo4j up');
  }

  private async initPrimary(): Promise<void> {
    const dir = this.pgDir('primary');
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) await execFileAsync('chown', ['postgres:postgres', dir]);
    await asPg('initdb', ['-D', join(dir, 'data'), '-U', 'postgres', '--encoding=UTF8', '--no-locale', '--auth=trust']);
    appendFileSync(
      join(dir, 'data', 'postgresql.conf'),
      [
        '',
        `port = ${PORTS.pgPrimary}`,
        `listen_addresses = '${HOST}'`,
        `unix_socket_directories = '${dir}'`,
        'wal_level = replica',
        'max_wal_senders = 10',
        "wal_keep_size = '256MB'",
        'hot_standby = on',
        "shared_buffers = '64MB'",
        'fsync = off',
        'full_page_writes = off',
        // Acknowledged = on the replica too: what Neon's safekeepers guarantee, so a crash of the
        // primary may not lose an acknowledged write.
        'synchronous_commit = on',
        "synchronous_standby_names = '*'",
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'data', 'pg_hba.conf'),
      'local all all trust\nlocal replication all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n',
    );
  }

  private async initReplica(): Promise<void> {
    const dir = this.pgDir('replica');
    mkdirSync(dir, { recursive: true });
    if (process.getuid?.() === 0) await execFileAsync('chown', ['postgres:postgres', dir]);
    await asPg('pg_basebackup', [
      '-h',
      HOST,
      '-p',
      String(PORTS.pgPrimary),
      '-U',
      'postgres',
      '-D',
      join(dir, 'data'),
      '-R',
      '-X',
      'stream',
      '-c',
      'fast',
    ]);
    appendFileSync(
      join(dir, 'data', 'postgresql.conf'),
      `\nport = ${PORTS.pgReplica}\nunix_socket_directories = '${dir}'\n`,
    );
  }

  async pgStart(name: 'primary' | 'replica'): Promise<void> {
    const dir = this.pgDir(name);
    await asPg('pg_ctl', ['start', '-w', '-t', '60', '-D', join(dir, 'data'), '-l', join(dir, 'log')]);
    if (name === 'primary') {
      // Until the replica is attached, commits would wait for it: these two are local-only.
      const local = ['-c', 'set synchronous_commit = local'];
      const psql = (sql: string) =>
        asPg('psql', [
          '-X',
          '-q',
          '-h',
          dir,
          '-p',
          String(PORTS.pgPrimary),
          '-U',
          'postgres',
          '-d',
          'postgres',
          ...local,
          '-c',
          sql,
        ]);
      await psql("create role voice login password 'voice'").catch(() => undefined);
      await psql('create database voice owner voice').catch(() => undefined);
    }
  }

  /** Crash of the primary (no clean shutdown: what a lost machine looks like). */
  async pgCrash(name: 'primary' | 'replica'): Promise<void> {
    await asPg('pg_ctl', ['stop', '-m', 'immediate', '-w', '-D', join(this.pgDir(name), 'data')]).catch(
      () => undefined,
    );
  }

  async promoteReplica(): Promise<void> {
    await asPg('pg_ctl', ['promote', '-w', '-t', '60', '-D', join(this.pgDir('replica'), 'data')]);
    // The new primary has no standby yet: it must not wait for one.
    await asPg('psql', [
      '-X',
      '-q',
      '-h',
      this.pgDir('replica'),
      '-p',
      String(PORTS.pgReplica),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      "alter system set synchronous_standby_names = ''",
    ]);
    await asPg('psql', [
      '-X',
      '-q',
      '-h',
      this.pgDir('replica'),
      '-p',
      String(PORTS.pgReplica),
      '-U',
      'postgres',
      '-d',
      'postgres',
      '-c',
      'select pg_reload_conf()',
    ]);
  }

  start(name: 'redis' | 'ferretdb' | 'chroma' | 'neo4j'): void {
    const dir = join(this.dir, name);
    mkdirSync(join(dir, 'data'), { recursive: true });
    const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root' };
    const cmd: Record<typeof name, [string, string[]]> = {
      redis: [
        'redis-server',
        [
          '--bind',
          HOST,
          '--port',
          String(PORTS.redis),
          '--dir',
          join(dir, 'data'),
          '--appendonly',
          'yes',
          '--save',
          '',
          '--daemonize',
          'no',
        ],
      ],
      ferretdb: [
        repoPath('deploy/local/.bin/ferretdb'),
        [
          '--handler=sqlite',
          `--sqlite-url=file:${join(dir, 'data')}/`,
          `--state-dir=${join(dir, 'data')}`,
          '--telemetry=disable',
          `--listen-addr=${HOST}:${PORTS.ferretdb}`,
          '--debug-addr=-',
          '--log-level=WARN',
        ],
      ],
      chroma: [
        process.execPath,
        [
          repoPath('deploy/local/chroma/node_modules/chromadb/dist/cli.mjs'),
          'run',
          '--path',
          join(dir, 'data'),
          '--port',
          String(PORTS.chroma),
          '--host',
          HOST,
        ],
      ],
      neo4j: [
        'java',
        [
          '-Xms256m',
          '-Xmx512m',
          '-XX:+UseSerialGC',
          '-cp',
          `${repoPath('deploy/local/neo4j/target/classes')}:${readFileSync(repoPath('deploy/local/neo4j/target/classpath.txt'), 'utf8').trim()}`,
          'local.neo4j.Launcher',
          join(dir, 'home'),
          HOST,
          String(PORTS.neo4j),
        ],
      ],
    };
    const [bin, args] = cmd[name];
    this.children.set(name, spawnLogged(bin, args, env));
  }

  async stop(name: 'redis' | 'ferretdb' | 'chroma' | 'neo4j'): Promise<void> {
    await stopProcess(this.children.get(name), 20_000);
  }

  async waitUp(name: 'redis' | 'ferretdb' | 'chroma' | 'neo4j'): Promise<void> {
    const port = { redis: PORTS.redis, ferretdb: PORTS.ferretdb, chroma: PORTS.chroma, neo4j: PORTS.neo4j }[name];
    const child = this.children.get(name)!;
    await waitFor(
      async () => {
        if (child.child.exitCode !== null) throw new Error(`${name} exited:\n${child.output().slice(-2000)}`);
        if (name === 'neo4j' && !child.output().includes('Bolt enabled')) return undefined;
        return (await tcpOpen(port)) ? true : undefined;
      },
      180_000,
      `${name} on :${port}`,
    );
  }

  async stopAll(): Promise<void> {
    await this.endpoint.stop();
    for (const name of this.children.keys()) await stopProcess(this.children.get(name), 20_000);
    await this.pgCrash('replica');
    await this.pgCrash('primary');
  }
}
