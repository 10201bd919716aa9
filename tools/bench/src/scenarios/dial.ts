import { randomBytes } from 'node:crypto';
import { withClient } from '../support/db';
import { histogram, histogramDelta, quantileMs, type Sample } from '../support/prometheus';
import { storeEnvFromProcess } from '../support/replicas';
import { bar, emit, log, machine, type BenchResult } from '../support/report';
import { Stack } from '../support/stack';
import { percentiles, round } from '../support/stats';

export interface DialOptions {
  rate: number;
  seconds: number;
  burst: number;
  timeScale: number;
  json: boolean;
  out?: string;
}

interface Sent {
  to: string;
  sentAt: number;
  acceptedAt: number | null;
  status: number;
}

/**
 * Outbound call initiation: POST /api/calls (202) → the dial request reaching the carrier,
 * at a steady rate and in a burst. The API is called on the replicas directly, round-robin:
 * nginx limits /api/* to 20 r/s per client address, below Telnyx's 30 dials/s.
 */
export async function dialScenario(o: DialOptions, command: string): Promise<BenchResult> {
  const started = Date.now();
  const m = machine();
  const stores = storeEnvFromProcess();
  const campaign = `bench-${randomBytes(4).toString('hex')}`;
  const stack = await new Stack({
    stores,
    replicas: 3,
    timeScale: o.timeScale,
    carrierDialRate: 30,
    nginx: false,
    extraEnv: { DIAL_RATE_PER_SECOND: '30', BEAST_MODE_INTERVAL_MS: '60000' },
  }).start();
  let n = 0;
  const base = 1_000_000 + Math.floor(Math.random() * 8_000_000);
  const post = async (): Promise<Sent> => {
    const i = n++;
    const to = `+1555${String(base + i).slice(-7)}`;
    const r = stack.replicas[i % stack.replicas.length]!;
    const sentAt = Date.now();
    try {
      const res = await fetch(`${r.url}/api/calls`, {
        method: 'POST',
        headers: { authorization: `Bearer ${stack.secrets.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ to, campaign }),
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      return { to, sentAt, acceptedAt: res.status === 202 ? Date.now() : null, status: res.status };
    } catch {
      return { to, sentAt, acceptedAt: null, status: 0 };
    }
  };
  // Queue depth (calls of this run still queued), sampled twice a second.
  const queue: Array<{ t: number; queued: number }> = [];
  const queueTimer = setInterval(() => {
    void withClient(stores.NEON_DATABASE_URL!, (c) =>
      c.query<{ n: string }>("select count(*) as n from calls where campaign = $1 and status = 'queued'", [campaign]),
    )
      .then((r) => queue.push({ t: Date.now(), queued: Number(r.rows[0]?.n ?? 0) }))
      .catch(() => undefined);
  }, 500);

  const waitDials = async (total: number, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const report = await stack.carrier.report();
      const ours = report.dials.length;
      if (ours >= total || Date.now() > deadline) return report;
      await new Promise((r) => setTimeout(r, 1000));
    }
  };

  const phase = async (name: string, sent: Sent[], before: Sample[][]) => {
    const report = await waitDials(n, 120_000);
    const after = await stack.scrapeAll();
    const arrival = new Map(report.dials.map((d) => [d.to, d.at]));
    const latencies = sent
      .filter((s) => s.acceptedAt !== null && arrival.has(s.to))
      .map((s) => arrival.get(s.to)! - s.acceptedAt!);
    const api = sent.filter((s) => s.acceptedAt !== null).map((s) => s.acceptedAt! - s.sentAt);
    const setup = histogramDelta(
      histogram(after, 'voice_call_setup_seconds'),
      histogram(before, 'voice_call_setup_seconds'),
    );
    const wait = histogramDelta(
      histogram(after, 'voice_dial_queue_wait_seconds'),
      histogram(before, 'voice_dial_queue_wait_seconds'),
    );
    const p = percentiles(latencies);
    log(
      `${name}: ${sent.length} dials, accepted→carrier p50 ${p.p50} ms, p95 ${p.p95} ms, p99 ${p.p99} ms, max ${p.max} ms`,
    );
    return {
      dials: sent.length,
      accepted: sent.filter((s) => s.acceptedAt !== null).length,
      rejected: sent.filter((s) => s.acceptedAt === null).length,
      reachedCarrier: latencies.length,
      acceptedToCarrierMs: p,
      apiLatencyMs: percentiles(api),
      server: {
        callSetupMs: { p50: quantileMs(setup, 0.5), p95: quantileMs(setup, 0.95), p99: quantileMs(setup, 0.99) },
        dialQueueWaitMs: { p50: quantileMs(wait, 0.5), p95: quantileMs(wait, 0.95), p99: quantileMs(wait, 0.99) },
      },
      carrierRateLimited: report.stats.dials.rateLimited,
    };
  };

  try {
    // steady: `rate` dials per second for `seconds`
    log(`steady: ${o.rate} dials/s for ${o.seconds} s (campaign ${campaign})`);
    let before = await stack.scrapeAll();
    const steadySent: Promise<Sent>[] = [];
    const t0 = Date.now();
    for (let i = 0; i < o.rate * o.seconds; i++) {
      const due = t0 + (i * 1000) / o.rate;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      steadySent.push(post());
    }
    const steady = await phase('steady', await Promise.all(steadySent), before);

    // burst: `burst` dials posted at once (50 requests in flight)
    log(`burst: ${o.burst} dials posted as fast as the API takes them`);
    before = await stack.scrapeAll();
    const burstStart = Date.now();
    const burstSent: Sent[] = [];
    await Promise.all(
      Array.from({ length: Math.min(50, o.burst) }, async () => {
        while (burstSent.length < o.burst) {
          const slot = burstSent.length;
          burstSent[slot] = { to: '', sentAt: 0, acceptedAt: null, status: -1 };
          burstSent[slot] = await post();
        }
      }),
    );
    const postedInMs = Date.now() - burstStart;
    const burst = { ...(await phase('burst', burstSent, before)), postedInMs };
    clearInterval(queueTimer);

    const result: BenchResult = {
      scenario: 'dial',
      command,
      machine: m,
      loadAvgAfter: machine().loadAvg,
      durationS: round((Date.now() - started) / 1000, 1),
      bars: [bar(`call initiation p99 at ${o.rate} dials/s`, 2000, 'ms', steady.acceptedToCarrierMs.p99)],
      rate: o.rate,
      carrierLimitPerSecond: 30,
      steady,
      burst,
      // the floor of a burst: the carrier's rate limit alone
      burstFloorS: round(o.burst / 30, 1),
      queueSeries: queue,
    };
    emit(result, o);
    // every accepted dial must reach the carrier
    if (steady.reachedCarrier < steady.accepted || burst.reachedCarrier < burst.accepted) process.exitCode = 1;
    return result;
  } finally {
    clearInterval(queueTimer);
    await stack.stop();
  }
}
