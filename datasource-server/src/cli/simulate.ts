import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { inboundCallId, simulator, ThompsonSamplingChooser, type CallRecord } from '@mwva/voice-core';
import type { Histogram } from 'prom-client';
import { loadEnv } from '../config/env';
import { createLogger } from '../observability/logger';
import { startServer } from '../server';
import { progressLine } from './progress';

export interface SimulateCliOptions {
  calls: number;
  concurrency: number;
  seed: number;
  json: boolean;
  outboundRatio: number;
  timeScale: number;
  /** Embedded mode: where the stores live; the calls stay there after the run. */
  dataDir: string;
  duplicateRate: number;
  reorderRate: number;
  commandErrorRate: number;
  timeoutS: number;
  /** Calls started per second at most (a ramp, as real traffic arrives; 0 = no limit). */
  startRate: number;
  target?: string;
  listen?: string;
  keyFile?: string;
  apiKey?: string;
  connectionId?: string;
}

export interface SimulateSummary {
  mode: 'embedded' | 'target';
  calls: number;
  concurrency: number;
  seed: number;
  time_scale: number;
  start_rate: number;
  duration_s: number;
  completed: number;
  outcomes: Record<string, number>;
  webhook_latency_ms: { p50: number; p95: number; p99: number; max: number };
  webhooks: {
    events: number;
    delivered: number;
    duplicated: number;
    reordered: number;
    failed_attempts: number;
    exhausted: number;
  };
  turn_latency_ms?: { p50: number; p95: number; p99: number };
  outcome_agreement?: number;
  errors: { total: number; [kind: string]: number };
  peak_rss_mb: number;
}

/** `voice-agent simulate`: drive N simulated calls, C at a time, and report what happened. */
export async function simulate(options: SimulateCliOptions): Promise<void> {
  const summary = options.target ? await simulateAgainstTarget(options) : await simulateEmbedded(options);
  const { errors, webhook_latency_ms: w } = summary;
  // The summary is the command's result: stdout (stderr when stdout carries the JSON line).
  (options.json ? process.stderr : process.stdout).write(
    [
      `simulate (${summary.mode}): ${summary.completed}/${summary.calls} calls completed in ${summary.duration_s} s at concurrency ${summary.concurrency}`,
      `  outcomes: ${Object.entries(summary.outcomes)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
      summary.mode === 'embedded' ? `  calls kept in ${options.dataDir} (DATA_DIR of serve, backup)` : '',
      `  webhook latency (carrier-observed) p50 ${w.p50} ms, p95 ${w.p95} ms, p99 ${w.p99} ms, max ${w.max} ms`,
      summary.turn_latency_ms
        ? `  turn latency p50 ${summary.turn_latency_ms.p50} ms, p95 ${summary.turn_latency_ms.p95} ms, p99 ${summary.turn_latency_ms.p99} ms`
        : '',
      `  errors: ${errors.total}${
        errors.total
          ? ` (${Object.entries(errors)
              .filter(([k, v]) => k !== 'total' && v)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')})`
          : ''
      }`,
    ]
      .filter(Boolean)
      .join('\n') + '\n',
  );
  if (options.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  if (errors.total > 0) process.exitCode = 1;
}

/** No --target: an embedded server in this process, the built-in carrier pointed at it. */
async function simulateEmbedded(options: SimulateCliOptions): Promise<SimulateSummary> {
  const dataDir = options.dataDir;
  const env = loadEnv({
    ...process.env,
    TELNYX_API_KEY: '',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    SIMULATION_CALLS_PER_MINUTE: '0',
    CALL_CAPACITY: String(Math.max(options.concurrency, Number(process.env.CALL_CAPACITY ?? 0))),
  });
  let finalized = 0;
  const started = performance.now();
  // The data directory keeps earlier runs' calls (--data-dir): the summary counts this run's.
  const startedAt = new Date(Date.now() - 1_000).toISOString();
  // Logs to stderr: stdout carries the summary.
  const server = await startServer(env, createLogger(env.LOG_LEVEL, process.stderr), {
    trickle: false,
    // Each choice is drawn from (seed, call, turn): see nextWave below.
    chooser: new ThompsonSamplingChooser({ seed: options.seed }),
    simulator: {
      seed: options.seed,
      timeScale: options.timeScale,
      dialRatePerSecond: env.DIAL_RATE_PER_SECOND,
      faults: {
        duplicateRate: options.duplicateRate,
        reorderRate: options.reorderRate,
        commandErrorRate: options.commandErrorRate,
      },
    },
    onFinalized: () => {
      finalized += 1;
    },
  });
  const carrier = server.voice.carrier!;
  const rss = peakRss();
  try {
    await drive(options, {
      placeInbound: () => carrier.placeInboundCall().then(() => undefined),
      placeOutbound: (i) =>
        server.voice.dialer
          .enqueue({ to: numberFor(i), from: server.voice.defaultFrom!, persona: null, campaign: 'simulate' })
          .then(() => undefined),
      done: () => finalized,
      // Reproducible with concurrency: the calls run in waves of --concurrency, and every call of
      // a wave chooses from the learning as it stood when the wave began (all earlier waves
      // credited). Within a wave, which call finishes first no longer changes anyone's choices.
      nextWave: async () => {
        await server.voice.engine.idle();
        await server.voice.agent.pinLearning();
      },
    });
    await carrier.waitForIdle(60_000).catch(() => undefined);
    await server.voice.engine.idle();
    const ours = await server.stores.calls.listCalls({
      from: startedAt,
      to: new Date(Date.now() + 60_000).toISOString(),
      limit: options.calls * 2,
    });
    const stats = carrier.stats();
    const unapplied = await server.stores.calls.listUnappliedEvents({
      before: new Date(Date.now() + 60_000).toISOString(),
      afterSeq: 0,
      limit: 100_000,
    });
    const unfinalized = ours.filter((c) => c.status !== 'ended' || !c.outcome).length;
    const commandFailures = Object.values(stats.commands.byName)
      .flatMap((byStatus) => Object.entries(byStatus))
      .filter(([status]) => Number(status) >= 500)
      .reduce((n, [, count]) => n + count, 0);
    const injected = stats.commands.faultsInjected;
    const errors = {
      webhooks_exhausted: stats.webhooks.exhausted,
      webhooks_refused: stats.webhooks.refused,
      unapplied_events: unapplied.length,
      unfinalized_calls: unfinalized,
      calls_missing: Math.max(0, options.calls - ours.length),
      // Injected carrier faults are expected and retried; anything beyond them is an error.
      command_failures: Math.max(0, commandFailures - injected),
    };
    if (unapplied.length > 0) {
      process.stderr.write(`unapplied events by type: ${JSON.stringify(countBy(unapplied, (e) => e.type))}\n`);
    }
    return {
      mode: 'embedded',
      ...common(options, started, stats),
      completed: ours.filter((c) => c.status === 'ended' && c.outcome).length,
      outcomes: countBy(ours, (c) => c.outcome ?? 'unfinished'),
      turn_latency_ms: await histogramQuantiles(server.voice.metrics.turnLatency),
      outcome_agreement: agreement(carrier.calls(), ours),
      errors: { total: Object.values(errors).reduce((a, b) => a + b, 0), ...errors },
      peak_rss_mb: rss.stop(),
    };
  } finally {
    await server.shutdown('simulate finished');
  }
}

/** --target URL: serve the carrier API on --listen and send signed webhooks to a running server. */
async function simulateAgainstTarget(options: SimulateCliOptions): Promise<SimulateSummary> {
  const listen = new URL(`http://${options.listen ?? '127.0.0.1:0'}`);
  const apiKey = options.apiKey ?? process.env.TELNYX_API_KEY;
  if (!apiKey) throw new Error('--api-key (or TELNYX_API_KEY) is needed: the target sends it with every command');
  const signingKey = loadOrCreateKey(options.keyFile);
  const started = performance.now();
  const carrier = await simulator.createCarrierSimulator({
    host: listen.hostname,
    port: Number(listen.port || 0),
    apiKey,
    signingKey,
    webhookUrl: new URL('/telnyx/webhooks', options.target).toString(),
    connectionId: options.connectionId ?? process.env.TELNYX_CONNECTION_ID ?? 'simulated-call-control-app',
    seed: options.seed,
    timeScale: options.timeScale,
    faults: {
      duplicateRate: options.duplicateRate,
      reorderRate: options.reorderRate,
      commandErrorRate: options.commandErrorRate,
    },
  });
  process.stderr.write(
    `carrier simulator on ${carrier.url} (TELNYX_BASE_URL=${carrier.url}/v2, TELNYX_PUBLIC_KEY=${carrier.publicKeyBase64})\n`,
  );
  const rss = peakRss();
  try {
    // From the stats: carrier.calls() deep-copies every record, too slow to poll per placed call.
    const ended = () => carrier.stats().calls.ended;
    await drive(
      { ...options, outboundRatio: 0 },
      {
        placeInbound: () => carrier.placeInboundCall().then(() => undefined),
        placeOutbound: async () => undefined,
        done: ended,
      },
    );
    await carrier.waitForIdle(60_000).catch(() => undefined);
    const stats = carrier.stats();
    const errors = {
      webhooks_exhausted: stats.webhooks.exhausted,
      webhooks_refused: stats.webhooks.refused,
      calls_unfinished: options.calls - ended(),
    };
    return {
      mode: 'target',
      ...common(options, started, stats),
      concurrency: options.concurrency,
      completed: ended(),
      outcomes: countBy(carrier.calls(), (c) => c.outcome),
      errors: { total: Object.values(errors).reduce((a, b) => a + b, 0), ...errors },
      peak_rss_mb: rss.stop(),
    };
  } finally {
    await carrier.close();
  }
}

interface DriveIo {
  placeInbound: () => Promise<void>;
  placeOutbound: (i: number) => Promise<void>;
  /** Calls finished so far. */
  done: () => number;
  /** Given: calls start in waves of `concurrency`, each after the one before finished and this resolved. */
  nextWave?: () => Promise<void>;
}

/**
 * Starts calls at most `startRate` per second until `calls` were started and finished: as slots
 * free up (at most `concurrency` unfinished), or in waves of `concurrency` when io.nextWave is given.
 */
async function drive(options: SimulateCliOptions, io: DriveIo): Promise<void> {
  const progress = progressLine('simulate');
  const deadline = Date.now() + options.timeoutS * 1000;
  const tickMs = 50;
  const perTick = options.startRate > 0 ? Math.max(1, Math.round((options.startRate * tickMs) / 1000)) : 200;
  let started = 0;
  let waveEnd = 0;
  let outboundDebt = 0;
  const place = (i: number) => {
    // Spread outbound calls evenly: each call adds the ratio, a whole unit makes it outbound.
    outboundDebt += options.outboundRatio;
    const outbound = outboundDebt >= 1;
    if (outbound) outboundDebt -= 1;
    return outbound ? io.placeOutbound(i) : io.placeInbound();
  };
  while (io.done() < options.calls && Date.now() < deadline) {
    if (io.nextWave && started === waveEnd && io.done() >= started) {
      await io.nextWave();
      waveEnd = Math.min(options.calls, started + options.concurrency);
    }
    const limit = io.nextWave ? waveEnd : Math.min(options.calls, io.done() + options.concurrency);
    const burst: Promise<void>[] = [];
    while (started < limit && burst.length < perTick) burst.push(place(started++));
    await Promise.all(burst);
    progress.update(io.done(), options.calls, `(${started - io.done()} in progress)`);
    await new Promise((r) => setTimeout(r, tickMs));
  }
  progress.done();
}

function common(options: SimulateCliOptions, started: number, stats: simulator.SimulatorStats) {
  const l = stats.webhooks.latencyMs;
  return {
    calls: options.calls,
    concurrency: options.concurrency,
    seed: options.seed,
    time_scale: options.timeScale,
    start_rate: options.startRate,
    duration_s: Math.round((performance.now() - started) / 100) / 10,
    webhook_latency_ms: { p50: round(l.p50), p95: round(l.p95), p99: round(l.p99), max: round(l.max) },
    webhooks: {
      events: stats.webhooks.events,
      delivered: stats.webhooks.delivered,
      duplicated: stats.webhooks.duplicated,
      reordered: stats.webhooks.reordered,
      failed_attempts: stats.webhooks.failedAttempts,
      exhausted: stats.webhooks.exhausted,
    },
  };
}

/** Share of carrier-side calls whose outcome we recorded as the simulated prospect decided. */
function agreement(simCalls: simulator.SimulatedCallRecord[], ours: CallRecord[]): number {
  const byControlId = new Map(ours.map((c) => [c.callControlId, c]));
  const byId = new Map(ours.map((c) => [c.id, c]));
  let same = 0;
  for (const sim of simCalls) {
    const our = byControlId.get(sim.callControlId) ?? byId.get(inboundCallId(sim.callControlId));
    if (our?.outcome && our.outcome === simulator.expectedOutcome(sim)) same += 1;
  }
  return simCalls.length === 0 ? 1 : Math.round((1000 * same) / simCalls.length) / 1000;
}

function loadOrCreateKey(file: string | undefined): KeyObject {
  if (file && existsSync(file)) return createPrivateKey(readFileSync(file));
  const { privateKey } = generateKeyPairSync('ed25519');
  if (file) writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  return privateKey;
}

function numberFor(i: number): string {
  return `+1555${String(3000000 + i).slice(-7)}`;
}

/** Counts by key, keys in sorted order: two runs with the same seed then print the same line. */
function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const out = new Map<string, number>();
  for (const item of items) out.set(key(item), (out.get(key(item)) ?? 0) + 1);
  return Object.fromEntries([...out].sort(([a], [b]) => a.localeCompare(b)));
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}

function peakRss(): { stop(): number } {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 200);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(Math.max(peak, process.memoryUsage().rss) / 1048576);
    },
  };
}

/** Percentiles estimated from a histogram's cumulative buckets (linear within a bucket), in ms. */
async function histogramQuantiles(histogram: Histogram): Promise<{ p50: number; p95: number; p99: number }> {
  const buckets = (await histogram.get()).values
    .filter((v) => v.metricName?.endsWith('_bucket') && v.labels.le !== '+Inf')
    .map((v) => ({ le: Number(v.labels.le), cumulative: v.value }))
    .sort((a, b) => a.le - b.le);
  const count = (await histogram.get()).values.find((v) => v.metricName?.endsWith('_count'))?.value ?? 0;
  if (count === 0) return { p50: 0, p95: 0, p99: 0 };
  const at = (q: number) => {
    const target = q * count;
    let lower = 0;
    let below = 0;
    for (const b of buckets) {
      if (b.cumulative >= target) {
        const inBucket = Math.max(1, b.cumulative - below);
        return round(1000 * (lower + ((b.le - lower) * (target - below)) / inBucket));
      }
      lower = b.le;
      below = b.cumulative;
    }
    return round(1000 * lower);
  };
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
