import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ed25519VerifyRate, startBareServers } from '../support/baselines';
import { eventsPresent } from '../support/db';
import { WebhookLoad } from '../support/load';
import { startNginx } from '../support/nginx';
import { PORTS } from '../support/paths';
import { ProcMonitor } from '@mwva/testkit';
import { histogram, histogramDelta, quantileMs } from '../support/prometheus';
import { ramp, type RampOptions, type RampResult } from '../support/ramp';
import { storeEnvFromProcess } from '../support/replicas';
import { formatProfiles, summariseProfiles } from '../support/cpu-profile';
import { bar, emit, log, machine, type BenchResult } from '../support/report';
import {
  CpuLedger,
  ourCpuMsPerCall,
  storeAccounts,
  storeOpsPerCall,
  type CpuAccount,
  type CpuPerCall,
  type StoreOpsPerCall,
} from '../support/cpu-ledger';
import { Stack } from '../support/stack';
import { REPLICA_MEMORY_LIMIT_MB } from './soak';
import { ratio, round } from '../support/stats';

export interface WebhooksOptions {
  calls: number;
  concurrency: number;
  timeScale: number;
  startRate: number;
  rampStepS: number;
  rampMaxRate: number;
  ramp: boolean;
  cpuProf?: string;
  json: boolean;
  out?: string;
}

/** Samples each replica's event-loop lag p99 (from its /metrics) every 2 s. */
function lagSampler(stack: Stack) {
  const max = new Map<number, number>();
  const series: Array<{ t: number; port: number; lagMs: number }> = [];
  const timer = setInterval(() => {
    void (async () => {
      for (const r of stack.replicas) {
        const samples = await stack.scrapeOne(r.url);
        const lag = samples.find((s) => s.name === 'nodejs_eventloop_lag_p99_seconds')?.value;
        if (lag === undefined) continue;
        const ms = round(lag * 1000, 1);
        max.set(r.port, Math.max(max.get(r.port) ?? 0, ms));
        series.push({ t: Date.now(), port: r.port, lagMs: ms });
      }
    })();
  }, 2000);
  return {
    series,
    stop: () => {
      clearInterval(timer);
      return Object.fromEntries([...max].map(([port, ms]) => [port, ms]));
    },
  };
}

export async function webhooksScenario(o: WebhooksOptions, command: string): Promise<BenchResult> {
  const started = Date.now();
  const m = machine();
  const stores = storeEnvFromProcess();
  const rampOpts: RampOptions = {
    startRate: 50,
    factor: 1.5,
    maxRate: o.rampMaxRate,
    stepS: o.rampStepS,
    p99LimitMs: 200,
    errorLimit: 0.01,
  };

  log('baseline: Ed25519 verify rate (node:crypto, one core)');
  const crypto = ed25519VerifyRate(2);
  log(`baseline: ${crypto.perSecondOneCore} verifications/s on one core`);

  const stack = await new Stack({
    stores,
    replicas: 3,
    timeScale: o.timeScale,
    carrierDialRate: 30,
    extraEnv: { CALL_CAPACITY: String(Math.max(1000, o.concurrency)), BEAST_MODE_INTERVAL_MS: '60000' },
    nodeArgs: (i) => (o.cpuProf ? cpuProfArgs(o.cpuProf, `replica-${i}`) : []),
    // The carrier's own event loop is part of the latency it observes: profile it as well.
    carrierNodeArgs: o.cpuProf ? cpuProfArgs(o.cpuProf, 'carrier') : undefined,
    stopGraceMs: o.cpuProf ? 90_000 : undefined,
  }).start();
  let bareRamp: RampResult | null = null;
  try {
    // --- 0. warm-up (JIT, TLS sessions, connection pools), not measured ------------------------
    const warm = new WebhookLoad({
      baseUrl: stack.url,
      ca: stack.nginx!.ca,
      signingKey: stack.secrets.privateKey,
      connectionId: stack.secrets.connectionId,
    });
    await warm.step(30, 5, false);
    warm.close();
    log('warm-up done (150 webhooks, not counted)');

    // --- 1. N concurrent simulated calls through nginx ---------------------------------------
    const before = await stack.scrapeAll();
    const ledger = new CpuLedger(cpuAccounts(stack, stores));
    const cpuBefore = ledger.snapshot();
    const monitor = new ProcMonitor(() => stack.pids(), 1000);
    const lag = lagSampler(stack);
    log(`calls: ${o.calls} simulated inbound calls, ${o.concurrency} at a time, time scale ${o.timeScale}`);
    const driven = await stack.carrier.drive(o.calls, o.concurrency, o.startRate, 900_000, (s, e) =>
      log(`calls: ${s} started, ${e} ended`),
    );
    const lagMax = lag.stop();
    const procs = monitor.stop();
    const after = await stack.scrapeAll();
    const report = await stack.carrier.report();
    await new Promise((r) => setTimeout(r, 2000)); // let the last applies land
    const cpu = ledger.perCall(cpuBefore, ledger.snapshot(), driven.ended);
    const opsPerCall = storeOpsPerCall(before, after, driven.ended);
    logCost(cpu, opsPerCall);
    const exactlyOnce = await eventsPresent(stores.NEON_DATABASE_URL!, report.eventIdsByCall.flat());
    const w = report.stats.webhooks;
    const serverSide = histogramDelta(
      histogram(after, 'voice_webhook_duration_seconds'),
      histogram(before, 'voice_webhook_duration_seconds'),
    );
    const callsPhase = {
      calls: o.calls,
      concurrency: o.concurrency,
      timeScale: o.timeScale,
      durationS: round(driven.durationMs / 1000, 1),
      started: driven.started,
      ended: driven.ended,
      webhookLatencyMs: { p50: w.latencyMs.p50, p95: w.latencyMs.p95, p99: w.latencyMs.p99, max: w.latencyMs.max },
      serverSideWebhookMs: {
        p50: quantileMs(serverSide, 0.5),
        p95: quantileMs(serverSide, 0.95),
        p99: quantileMs(serverSide, 0.99),
      },
      throughputPerSecond: round(w.delivered / (driven.durationMs / 1000), 1),
      /** what the replicas logged at warn/error during the phase (by message [store]) */
      replicaLogs: stack.logSummary(),
      /** CPU of each process (with its children) over the phase, per ended call, from /proc */
      cpuPerCall: { ourMsPerCall: ourCpuMsPerCall(cpu), byProcess: cpu },
      storeOpsPerCall: opsPerCall,
      webhooks: w,
      errors: { failedAttempts: w.failedAttempts, exhausted: w.exhausted },
      events: {
        emitted: exactlyOnce.expected,
        inCallEvents: exactlyOnce.present,
        lost: exactlyOnce.missing,
        // call_events.id is the primary key: a second row per id cannot exist; applied twice would
        // show as an event applied without its mark, so unapplied rows are reported.
        duplicatedRows: 0,
        unapplied: exactlyOnce.unapplied,
        missingSample: exactlyOnce.missingSample,
      },
      replicas: procs
        .filter((p) => stack.pids().includes(p.pid))
        .map((p) => ({ ...p, port: stack.replicas.find((r) => r.proc.pid === p.pid)?.port, eventLoopLagP99MaxMs: 0 }))
        .map((p) => ({ ...p, eventLoopLagP99MaxMs: lagMax[p.port ?? 0] ?? null })),
      lagSeries: lag.series,
      rssSeries: monitor.series,
    };
    log(
      `calls: webhook p50 ${w.latencyMs.p50} ms, p95 ${w.latencyMs.p95} ms, p99 ${w.latencyMs.p99} ms; ` +
        `${w.delivered} delivered, ${w.failedAttempts} failed attempts, ${exactlyOnce.missing} lost`,
    );

    // --- 2. ramp: our ceiling through nginx ----------------------------------------------------
    let oursRamp: RampResult | null = null;
    let rampTimeline: unknown[] = [];
    let rampExactlyOnce: Awaited<ReturnType<typeof eventsPresent>> | null = null;
    if (o.ramp) {
      const load = new WebhookLoad({
        baseUrl: stack.url,
        ca: stack.nginx!.ca,
        signingKey: stack.secrets.privateKey,
        connectionId: stack.secrets.connectionId,
      });
      oursRamp = await ramp(load, 'ramp (replicas)', rampOpts);
      rampTimeline = load.timeline;
      load.close();
      log('ramp: checking every acknowledged webhook is in call_events');
      rampExactlyOnce = await eventsPresent(stores.NEON_DATABASE_URL!, load.acked);
    }
    await stack.stop();

    // --- 3. baseline: the same ramp against bare node:http servers behind the same nginx -------
    if (o.ramp) {
      const bare = await startBareServers(PORTS.bare);
      const nginx = await startNginx(join(stack.dir, 'nginx-bare'), [...PORTS.bare]);
      const load = new WebhookLoad({
        baseUrl: nginx.url,
        ca: nginx.ca,
        signingKey: stack.secrets.privateKey,
        connectionId: stack.secrets.connectionId,
      });
      try {
        await load.step(30, 3, false); // warm-up
        bareRamp = await ramp(load, 'ramp (bare node:http)', { ...rampOpts, maxRate: o.rampMaxRate * 4 });
      } finally {
        load.close();
        await nginx.stop();
        await bare.stop();
      }
    }

    const ceiling = oursRamp?.ceilingPerSecond ?? null;
    const result: BenchResult = {
      scenario: 'webhooks',
      command,
      machine: m,
      loadAvgAfter: machine().loadAvg,
      durationS: round((Date.now() - started) / 1000, 1),
      bars: [
        bar(`API p99 under load (signed webhooks, ${o.concurrency} concurrent calls)`, 200, 'ms', w.latencyMs.p99),
        bar(
          `peak replica memory (% of its ${REPLICA_MEMORY_LIMIT_MB} MiB limit)`,
          80,
          '%',
          round((100 * Math.max(0, ...callsPhase.replicas.map((r) => r.peakRssMb))) / REPLICA_MEMORY_LIMIT_MB, 1),
        ),
      ],
      callsPhase,
      ramp: oursRamp ? { ...oursRamp, exactlyOnce: rampExactlyOnce, timeline: rampTimeline, options: rampOpts } : null,
      baselines: {
        ed25519VerifyPerSecondOneCore: crypto.perSecondOneCore,
        bareHttpRamp: bareRamp,
        bareHttpCeilingPerSecond: bareRamp?.ceilingPerSecond ?? null,
      },
      ratios: {
        ceilingVsBareHttp: ceiling !== null && bareRamp ? ratio(ceiling, bareRamp.ceilingPerSecond) : null,
        ceilingVsVerifyOneCore: ceiling !== null ? ratio(ceiling, crypto.perSecondOneCore) : null,
        ceilingVsVerifyAllCores: ceiling !== null ? ratio(ceiling, crypto.perSecondOneCore * m.nproc) : null,
      },
    };
    emit(result, o);
    // Performance bars are reported; lost events are a failure.
    if (exactlyOnce.missing > 0 || (rampExactlyOnce?.missing ?? 0) > 0) process.exitCode = 1;
    return result;
  } finally {
    await stack.stop().catch(() => undefined);
    // The profiles are written as the processes exit.
    if (o.cpuProf) reportProfiles(o.cpuProf);
  }
}

/** Every process a call costs CPU in, and the carrier (the load generator) for comparison. */
function cpuAccounts(stack: Stack, stores: ReturnType<typeof storeEnvFromProcess>): CpuAccount[] {
  return [
    ...stack.replicas.map((r, i) => ({
      name: `api replica ${i + 1}`,
      pids: () => [stack.replicas[i]?.proc.pid ?? r.proc.pid],
    })),
    // nginx's master only: its tree holds the workers.
    ...(stack.nginx ? [{ name: 'nginx', pids: () => stack.nginx!.pid().slice(0, 1) }] : []),
    ...storeAccounts(stores),
    { name: 'carrier simulator (load generator)', pids: () => [stack.carrier.pid], loadGenerator: true },
  ];
}

function logCost(cpu: CpuPerCall[], ops: StoreOpsPerCall[]): void {
  log(`cost: ${ourCpuMsPerCall(cpu)} ms of CPU per call in our processes (carrier excluded)`);
  for (const r of cpu)
    log(`cost:   ${r.process.padEnd(36)} ${String(r.cpuMsPerCall).padStart(8)} ms/call  (${r.cpuSeconds} s)`);
  for (const o of ops)
    log(`cost:   ${o.store.padEnd(10)} ${o.op.padEnd(28)} ${String(o.perCall).padStart(7)} per call`);
}

function cpuProfArgs(dir: string, name: string): string[] {
  return ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--cpu-prof-name=${name}.cpuprofile`];
}

/** Where the replicas' and the carrier's CPU went: printed and kept next to the profiles. */
function reportProfiles(dir: string): void {
  try {
    const text = formatProfiles(summariseProfiles(dir));
    writeFileSync(join(dir, 'profile-summary.txt'), `${text}\n`);
    log(`CPU profiles (${dir}; open the .cpuprofile files in Chrome DevTools for flame graphs):\n${text}`);
  } catch (err) {
    log(`CPU profiles in ${dir} could not be summarised: ${(err as Error).message}`);
  }
}
