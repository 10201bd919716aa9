import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lineChart, type ChartSeries as Series } from '@mwva/datasource-server';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function read(dir: string, scenario: string): Json | null {
  const file = join(dir, `${scenario}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Json) : null;
}

/** Seconds since the first point, for time axes. */
function relative<T extends { t: number }>(points: T[]): Array<T & { s: number }> {
  const t0 = Math.min(...points.map((p) => p.t));
  return points.map((p) => ({ ...p, s: Math.round((p.t - t0) / 100) / 10 }));
}

function byKey<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const i of items) out.set(key(i), [...(out.get(key(i)) ?? []), i]);
  return out;
}

/** Renders every chart the results in `dir` allow into `chartsDir`; returns the files written. */
export function renderCharts(dir: string, chartsDir: string): string[] {
  mkdirSync(chartsDir, { recursive: true });
  const written: string[] = [];
  const write = (name: string, svg: string) => {
    writeFileSync(join(chartsDir, name), svg);
    written.push(join(chartsDir, name));
  };

  const wh = read(dir, 'webhooks');
  if (wh?.ramp) {
    const rampSeries = (label: string, steps: Json[]): Series[] => [
      { name: `${label} p99`, points: steps.map((s) => ({ x: s.rate, y: s.latencyMs.p99 })) },
      { name: `${label} p50`, points: steps.map((s) => ({ x: s.rate, y: s.latencyMs.p50 })), dashed: true },
    ];
    write(
      'webhooks-ramp.svg',
      lineChart({
        title: 'Signed webhooks through nginx: latency vs offered rate',
        xLabel: 'offered webhooks per second',
        yLabel: 'latency (ms)',
        series: [
          ...rampSeries('3 replicas', wh.ramp.steps as Json[]),
          ...rampSeries('bare node:http', (wh.baselines?.bareHttpRamp?.steps ?? []) as Json[]),
        ],
        limit: { y: 200, label: 'seed bar: p99 < 200 ms' },
      }),
    );
    const timeline = relative(wh.ramp.timeline as Array<{ t: number; p99: number; p50: number }>);
    write(
      'webhooks-ramp-timeline.svg',
      lineChart({
        title: 'Ramp on the replicas: latency over time (per second)',
        xLabel: 'seconds',
        yLabel: 'latency (ms)',
        series: [
          { name: 'p99', points: timeline.map((p) => ({ x: p.s, y: p.p99 })) },
          { name: 'p50', points: timeline.map((p) => ({ x: p.s, y: p.p50 })) },
        ],
        limit: { y: 200, label: 'p99 < 200 ms' },
      }),
    );
  }
  if (wh?.callsPhase?.lagSeries?.length) {
    const lag = relative(wh.callsPhase.lagSeries as Array<{ t: number; port: number; lagMs: number }>);
    write(
      'webhooks-eventloop-lag.svg',
      lineChart({
        title: `Event-loop lag p99 per replica during ${wh.callsPhase.concurrency} concurrent calls`,
        xLabel: 'seconds',
        yLabel: 'nodejs_eventloop_lag_p99 (ms)',
        series: [...byKey(lag, (p) => String(p.port))].map(([port, pts]) => ({
          name: `replica :${port}`,
          points: pts.map((p) => ({ x: p.s, y: p.lagMs })),
        })),
      }),
    );
  }

  const fo = read(dir, 'failover');
  if (fo?.timeline) {
    const tl = fo.timeline as Array<{ s: number; ok: number; errors: number; p99: number }>;
    write(
      'failover-timeline.svg',
      lineChart({
        title: `Failover under ${fo.rate} webhooks/s: acknowledged and failed per second`,
        xLabel: 'seconds',
        yLabel: 'webhooks per second',
        series: [
          { name: 'acknowledged (2xx)', points: tl.map((p) => ({ x: p.s, y: p.ok })) },
          { name: 'failed (retried by the carrier)', points: tl.map((p) => ({ x: p.s, y: p.errors })) },
        ],
        markers: (fo.incidents as Json[]).map((i) => ({ x: i.faultAtS, label: i.name })),
      }),
    );
    write(
      'failover-latency.svg',
      lineChart({
        title: 'Failover: webhook latency p99 per second',
        xLabel: 'seconds',
        yLabel: 'p99 (ms)',
        series: [{ name: 'p99', points: tl.map((p) => ({ x: p.s, y: p.p99 })) }],
        markers: (fo.incidents as Json[]).map((i) => ({ x: i.faultAtS, label: i.name })),
      }),
    );
  }

  const dial = read(dir, 'dial');
  if (dial?.queueSeries?.length) {
    const q = relative(dial.queueSeries as Array<{ t: number; queued: number }>);
    write(
      'dial-queue.svg',
      lineChart({
        title: `Dial queue: ${dial.rate}/s steady, then a burst of ${dial.burst.dials}`,
        xLabel: 'seconds',
        yLabel: 'calls queued',
        series: [{ name: 'queued (status = queued)', points: q.map((p) => ({ x: p.s, y: p.queued })) }],
      }),
    );
  }

  const soak = read(dir, 'soak');
  if (soak?.rssSeries?.length) {
    const rss = relative(soak.rssSeries as Array<{ t: number; pid: number; rssMb: number }>);
    const heap = relative(soak.heapSeries as Array<{ t: number; port: number; heapMb: number }>);
    write(
      'soak-memory.svg',
      lineChart({
        title: `Soak: ${soak.calls} calls over ${soak.minutes} min, memory per replica`,
        xLabel: 'seconds',
        yLabel: 'MiB',
        series: [
          ...[...byKey(rss, (p) => String(p.pid))].map(([, pts], i) => ({
            name: `RSS replica ${i + 1}`,
            points: pts.map((p) => ({ x: p.s, y: p.rssMb })),
          })),
          ...[...byKey(heap, (p) => String(p.port))].map(([, pts], i) => ({
            name: `heap replica ${i + 1}`,
            points: pts.map((p) => ({ x: p.s, y: p.heapMb })),
            dashed: true,
          })),
        ],
      }),
    );
  }

  const qs = read(dir, 'queries');
  if (qs?.sizes?.length) {
    // one point per kind (x = kind index), one series per size: p95 through the API
    const kinds = (qs.sizes[0].kinds as Json[]).map((k) => `${k.name} [${k.range}]`);
    write(
      'queries-p95.svg',
      lineChart({
        title: 'Dashboard queries: API p95 per query (x = query number in docs/BENCHMARKS.md)',
        xLabel: 'query #',
        yLabel: 'p95 (ms)',
        series: (qs.sizes as Json[]).map((s) => ({
          name: `${s.calls.toLocaleString('en-US')} calls`,
          points: (s.kinds as Json[]).map((k, i) => ({ x: i + 1, y: k.api.p95 })),
        })),
        limit: { y: 100, label: 'seed bar: < 100 ms' },
      }),
    );
    writeFileSync(join(chartsDir, 'queries-index.txt'), kinds.map((k, i) => `${i + 1}. ${k}`).join('\n') + '\n');
  }
  return written;
}
