import { eventsPresent } from '../support/db';
import { ProcMonitor } from '@mwva/testkit';
import { storeEnvFromProcess } from '../support/replicas';
import { bar, emit, log, machine, type BenchResult } from '../support/report';
import { Stack } from '../support/stack';
import { round, slope } from '../support/stats';

/** The API's memory limit in docker-compose.yml and the Kubernetes deployment (768 MiB). */
export const REPLICA_MEMORY_LIMIT_MB = 768;

export interface SoakOptions {
  calls: number;
  minutes: number;
  timeScale: number;
  sampleS: number;
  json: boolean;
  out?: string;
}

/**
 * The seed's daily volume compressed: `calls` inbound calls spread evenly over `minutes`, through
 * nginx to 3 replicas; RSS (from /proc) and V8 heap (from /metrics) sampled every few seconds.
 * Flat memory = the least-squares slope over the second half stays near zero.
 */
export async function soakScenario(o: SoakOptions, command: string): Promise<BenchResult> {
  const started = Date.now();
  const m = machine();
  const stores = storeEnvFromProcess();
  const stack = await new Stack({
    stores,
    replicas: 3,
    timeScale: o.timeScale,
    carrierDialRate: 30,
    extraEnv: { BEAST_MODE_INTERVAL_MS: '60000' },
  }).start();
  try {
    const heap: Array<{ t: number; port: number; heapMb: number }> = [];
    const heapTimer = setInterval(() => {
      void (async () => {
        for (const r of stack.replicas) {
          const v = (await stack.scrapeOne(r.url)).find((s) => s.name === 'nodejs_heap_size_used_bytes')?.value;
          if (v !== undefined) heap.push({ t: Date.now(), port: r.port, heapMb: round(v / 1048576, 1) });
        }
      })();
    }, o.sampleS * 1000);
    const monitor = new ProcMonitor(() => stack.pids(), o.sampleS * 1000);
    const durationMs = o.minutes * 60_000;
    const t0 = Date.now();
    let placed = 0;
    let lastLog = 0;
    while (placed < o.calls) {
      const due = Math.min(o.calls, Math.ceil(((Date.now() - t0) / durationMs) * o.calls));
      if (due > placed) {
        stack.carrier.place(due - placed);
        placed = due;
      }
      if (Date.now() - lastLog > 10_000) {
        lastLog = Date.now();
        log(`soak: ${placed}/${o.calls} calls placed, ${round((Date.now() - t0) / 60_000, 1)}/${o.minutes} min`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const idle = await stack.carrier.idle(300_000);
    clearInterval(heapTimer);
    const procs = monitor.stop();
    const report = await stack.carrier.report();
    await new Promise((r) => setTimeout(r, 2000));
    const exactlyOnce = await eventsPresent(stores.NEON_DATABASE_URL!, report.eventIdsByCall.flat());

    const secondHalf = (t: number) => t >= t0 + (Date.now() - t0) / 2;
    const perReplica = stack.replicas.map((r) => {
      const rss = monitor.series.filter((s) => s.pid === r.proc.pid);
      const h = heap.filter((s) => s.port === r.port);
      const p = procs.find((x) => x.pid === r.proc.pid);
      const hour = 3_600_000;
      return {
        port: r.port,
        peakRssMb: p?.peakRssMb ?? null,
        lastRssMb: p?.lastRssMb ?? null,
        cpuCores: p?.cpuCores ?? null,
        rssSlopeMbPerHour: round(
          slope(rss.filter((s) => secondHalf(s.t)).map((s) => ({ x: s.t / hour, y: s.rssMb }))),
          1,
        ),
        heapSlopeMbPerHour: round(
          slope(h.filter((s) => secondHalf(s.t)).map((s) => ({ x: s.t / hour, y: s.heapMb }))),
          1,
        ),
        peakHeapMb: Math.max(0, ...h.map((s) => s.heapMb)),
      };
    });
    const peak = Math.max(0, ...perReplica.map((r) => r.peakRssMb ?? 0));
    const w = report.stats.webhooks;
    const result: BenchResult = {
      scenario: 'soak',
      command,
      machine: m,
      loadAvgAfter: machine().loadAvg,
      durationS: round((Date.now() - started) / 1000, 1),
      bars: [
        bar(
          `peak replica memory (% of its ${REPLICA_MEMORY_LIMIT_MB} MiB limit)`,
          80,
          '%',
          round((100 * peak) / REPLICA_MEMORY_LIMIT_MB, 1),
        ),
      ],
      calls: o.calls,
      minutes: o.minutes,
      timeScale: o.timeScale,
      idle,
      callsEnded: report.ended,
      webhookLatencyMs: w.latencyMs,
      webhooks: { delivered: w.delivered, failedAttempts: w.failedAttempts, exhausted: w.exhausted },
      events: { emitted: exactlyOnce.expected, lost: exactlyOnce.missing, unapplied: exactlyOnce.unapplied },
      replicas: perReplica,
      rssSeries: monitor.series,
      heapSeries: heap,
    };
    emit(result, o);
    if (exactlyOnce.missing > 0) process.exitCode = 1;
    return result;
  } finally {
    await stack.stop();
  }
}
