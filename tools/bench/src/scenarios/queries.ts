import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vectorCollection } from '@mwva/voice-core';
import pg from 'pg';
import { createEmbedder, createLogger, loadEnv, startServer, type RunningServer } from '@mwva/datasource-server';
import type { VoiceQueryInput } from '@mwva/contract';

/** The deployment's embedder: the vectors the server wrote are searched with the model that wrote them. */
const EMBEDDER = createEmbedder();
import { generateDataset } from '../support/dataset';
import { storeEnvFromProcess } from '../support/replicas';
import { bar, emit, log, machine, type BenchResult } from '../support/report';
import { SqlCapture } from '../support/sql-capture';
import { percentiles, round } from '../support/stats';

export interface QueriesOptions {
  sizes: number[];
  days: number;
  iterations: number;
  adminUrl?: string;
  logged: boolean;
  json: boolean;
  out?: string;
}

interface Case {
  name: string;
  range: '24h' | '365d';
  query: VoiceQueryInput;
  /** the same read without HTTP, for kinds that do not read Postgres */
  direct?: (s: RunningServer) => Promise<unknown>;
}

const cases = (): Case[] => {
  const series = (name: string, query: VoiceQueryInput): Case[] => [
    { name, range: '24h', query },
    { name, range: '365d', query },
  ];
  return [
    ...series('call_volume by direction', { kind: 'call_volume', groupBy: 'direction' }),
    ...series('call_volume by outcome', { kind: 'call_volume', groupBy: 'outcome' }),
    ...series('kpi conversion_rate', { kind: 'kpi', metric: 'conversion_rate' }),
    ...series('kpi answer_rate (outbound)', { kind: 'kpi', metric: 'answer_rate', direction: 'outbound' }),
    ...series('hangup_causes', { kind: 'hangup_causes', limit: 10 }),
    ...series('turn_latency', { kind: 'turn_latency' }),
    ...series('beast_mode timeseries', { kind: 'beast_mode', mode: 'timeseries', skill: 'all' }),
    ...series('recent_calls', { kind: 'recent_calls', limit: 50 }),
    ...series('recent_calls converted', { kind: 'recent_calls', limit: 50, outcome: 'converted' }),
    {
      name: 'beast_mode current',
      range: '24h',
      query: { kind: 'beast_mode', mode: 'current' },
      direct: (s) => s.voice.beastMode.compute(),
    },
    {
      name: 'active_calls',
      range: '24h',
      query: { kind: 'active_calls' },
      direct: (s) => s.stores.state.countActive(),
    },
    { name: 'capacity', range: '24h', query: { kind: 'capacity' }, direct: (s) => s.stores.state.countActive() },
    {
      name: 'top_objections',
      range: '24h',
      query: { kind: 'top_objections', limit: 10 },
      direct: (s) => s.stores.graph.snapshot(),
    },
    {
      name: 'learning_graph',
      range: '24h',
      query: { kind: 'learning_graph' },
      direct: (s) => s.stores.graph.snapshot(),
    },
    {
      name: 'transcript',
      range: '24h',
      query: { kind: 'transcript', callId: randomUUID() },
      direct: (s) => s.stores.transcripts.getTranscript(randomUUID()),
    },
    {
      name: 'transcript_search',
      range: '24h',
      query: { kind: 'transcript_search', text: 'too expensive for us right now', limit: 20 },
      direct: (s) =>
        s.stores.vectors.query(
          vectorCollection('utterances', EMBEDDER),
          EMBEDDER.embed('too expensive for us right now'),
          20,
        ),
    },
    {
      name: 'unrecognised',
      range: '24h',
      query: { kind: 'unrecognised', limit: 50 },
      direct: (s) =>
        s.stores.transcripts.listUnrecognised(
          { from: new Date(Date.now() - 86_400_000).toISOString(), to: new Date().toISOString() },
          50,
        ),
    },
  ];
};

/** Superuser connection of the shared primary: its unix socket (services.sh trusts local connections). */
function adminConfig(o: QueriesOptions, appUrl: URL): pg.ClientConfig {
  if (o.adminUrl) return { connectionString: o.adminUrl };
  const dir = join(process.env.SERVICES_DIR ?? '/tmp/mwva-services', 'postgres');
  return { host: dir, port: Number(appUrl.port || 5432), user: 'postgres', database: 'postgres' };
}

export async function queriesScenario(o: QueriesOptions, command: string): Promise<BenchResult> {
  const started = Date.now();
  const m = machine();
  const stores = storeEnvFromProcess();
  const appUrl = new URL(stores.NEON_DATABASE_URL!);
  const sizes: unknown[] = [];
  for (const size of o.sizes) sizes.push(await oneSize(o, size, appUrl, stores));
  const worst = Math.max(
    ...sizes.flatMap((s) => (s as { kinds: Array<{ api: { p95: number } }> }).kinds.map((k) => k.api.p95)),
  );
  const result: BenchResult = {
    scenario: 'queries',
    command,
    machine: m,
    loadAvgAfter: machine().loadAvg,
    durationS: round((Date.now() - started) / 1000, 1),
    bars: [bar('dashboard query p95 (worst kind, largest size)', 100, 'ms', worst)],
    days: o.days,
    iterations: o.iterations,
    readsFrom: o.logged ? 'read replica' : 'primary (unlogged bulk tables, see docs)',
    sizes,
  };
  emit(result, o);
  return result;
}

async function oneSize(o: QueriesOptions, size: number, appUrl: URL, stores: Record<string, string | undefined>) {
  const dbName = `bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client(adminConfig(o, appUrl));
  await admin.connect();
  const user = decodeURIComponent(appUrl.username);
  await admin.query(`create database ${dbName} owner ${pg.escapeIdentifier(user)}`);
  log(`queries: database ${dbName} for ${size} calls over ${o.days} days`);
  const dbUrl = new URL(appUrl);
  dbUrl.pathname = `/${dbName}`;
  const replicaUrl = new URL(stores.NEON_READ_REPLICA_URL || appUrl.toString());
  replicaUrl.pathname = `/${dbName}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'mwva-bench-queries-'));
  const capture = new SqlCapture();
  capture.install();
  let server: RunningServer | null = null;
  const raw = new pg.Client({ connectionString: o.logged ? replicaUrl.toString() : dbUrl.toString() });
  try {
    const env = loadEnv({
      ...process.env,
      ...stores,
      NEON_DATABASE_URL: dbUrl.toString(),
      NEON_READ_REPLICA_URL: o.logged ? replicaUrl.toString() : dbUrl.toString(),
      TELNYX_API_KEY: '',
      SIMULATION_CALLS_PER_MINUTE: '0',
      BEAST_MODE_INTERVAL_MS: '3600000',
      DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'error',
      API_TOKEN: randomBytes(24).toString('hex'),
    });
    server = await startServer(env, createLogger('error'), { trickle: false });
    const loadStart = performance.now();
    const writer = new pg.Client({ connectionString: dbUrl.toString() });
    await writer.connect();
    const dataset = await generateDataset(writer, size, o.days, !o.logged).finally(() => writer.end());
    const loadS = round((performance.now() - loadStart) / 1000, 1);
    log(`queries: ${size} calls loaded in ${loadS} s`);
    if (o.logged) await waitReplicaCaughtUp(replicaUrl.toString(), size);
    await raw.connect();

    const kinds = [];
    for (const c of cases()) {
      const to = new Date();
      const from = new Date(to.getTime() - (c.range === '24h' ? 86_400_000 : o.days * 86_400_000));
      const body = JSON.stringify({
        range: { from: from.toISOString(), to: to.toISOString() },
        intervalMs: 60_000,
        maxDataPoints: 1000,
        queries: [{ refId: 'A', ...c.query }],
      });
      const api: number[] = [];
      const direct: number[] = [];
      let statements: Array<{ text: string; values: unknown[] }> = [];
      let frames = 0;
      let error: string | undefined;
      for (let i = 0; i < o.iterations + 2; i++) {
        const t0 = performance.now();
        const { result, statements: st } = await capture.during(async () => {
          const res = await fetch(`${server!.url}/api/grafana/query`, {
            method: 'POST',
            headers: { authorization: `Bearer ${server!.token.token}`, 'content-type': 'application/json' },
            body,
          });
          return (await res.json()) as { results: Record<string, { frames: unknown[]; error?: string }> };
        });
        const ms = performance.now() - t0;
        if (i < 2) continue; // warm-up: plans, pools, JIT
        api.push(ms);
        statements = st;
        frames = result.results.A?.frames.length ?? 0;
        error = result.results.A?.error;
        // the same statements on a plain connection, or the store call for non-SQL kinds
        const r0 = performance.now();
        if (c.direct) await c.direct(server);
        else for (const s of statements) await raw.query(s.text, s.values);
        direct.push(performance.now() - r0);
      }
      const a = percentiles(api);
      const d = percentiles(direct);
      kinds.push({
        kind: c.query.kind,
        name: c.name,
        range: c.range,
        store: c.direct ? storeOf(c.query.kind) : 'postgres',
        frames,
        error,
        api: { p50: round(a.p50, 1), p95: round(a.p95, 1), max: round(a.max, 1) },
        direct: { p50: round(d.p50, 1), p95: round(d.p95, 1) },
        statements: statements.map((s) => s.text.replace(/\s+/g, ' ').trim()),
      });
      log(
        `queries ${size}: ${c.name} [${c.range}] API p50 ${round(a.p50, 1)} / p95 ${round(a.p95, 1)} ms; direct p50 ${round(d.p50, 1)} / p95 ${round(d.p95, 1)} ms${error ? ` (error: ${error})` : ''}`,
      );
    }
    return { calls: size, database: dbName, loadS, dataset, kinds };
  } finally {
    capture.uninstall();
    await raw.end().catch(() => undefined);
    await server?.shutdown('bench done').catch(() => undefined);
    await admin
      .query(`drop database if exists ${dbName} with (force)`)
      .catch((e: Error) => log(`drop ${dbName}: ${e.message}`));
    await admin.end();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function storeOf(kind: string): string {
  if (kind === 'top_objections' || kind === 'learning_graph') return 'neo4j';
  if (kind === 'transcript' || kind === 'unrecognised') return 'mongodb';
  if (kind === 'transcript_search') return 'chroma';
  if (kind === 'beast_mode') return 'neo4j+postgres';
  return 'redis';
}

async function waitReplicaCaughtUp(url: string, calls: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      if (!(c as unknown as { _connected?: boolean })._connected) await c.connect();
      const { rows } = await c.query<{ n: string }>('select count(*) as n from calls');
      if (Number(rows[0]?.n) >= calls) break;
    } catch {
      /* the database may not be replayed yet */
    }
    if (Date.now() > deadline) throw new Error('the read replica did not catch up within 10 minutes');
    await new Promise((r) => setTimeout(r, 1000));
  }
  await c.end().catch(() => undefined);
}
