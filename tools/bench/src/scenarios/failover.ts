import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onInterrupt } from '../support/cleanup';
import { eventsPresent, withClient } from '../support/db';
import { WebhookLoad, type SecondPoint } from '../support/load';
import { OwnServices } from '../support/own-services';
import { PORTS } from '../support/paths';
import { sleep } from '@mwva/testkit';
import { bar, emit, log, machine, type BenchResult } from '../support/report';
import { Stack } from '../support/stack';
import { round } from '../support/stats';

export interface FailoverOptions {
  rate: number;
  outageS: number;
  settleS: number;
  json: boolean;
  out?: string;
}

interface Incident {
  name: string;
  /** what was done */
  action: string;
  /** epoch ms: fault injected, service back (restart / promotion done), traffic healthy again */
  faultAt: number;
  backAt: number;
  recoveredAt: number | null;
  /** the service's own start / promotion time */
  serviceStartMs: number;
  /** webhooks that failed (non-2xx, not acknowledged) between the fault and the recovery */
  failedRequests: number;
  /** seconds from the fault until traffic is healthy again */
  outageToRecoveredS: number | null;
  /** seconds from the service being back until traffic is healthy again: "recovery time" */
  recoveryS: number | null;
  notes: string;
}

/**
 * Under steady webhook load and live simulated calls through nginx to 3 replicas on PRIVATE
 * servers (OwnServices, so others' shared servers stay up): kill a replica, restart Redis, crash
 * the Postgres primary and promote its replica, stop FerretDB, Neo4j and Chroma in turn. Each
 * recovery is timed, and afterwards every acknowledged webhook must be in call_events.
 */
export async function failoverScenario(o: FailoverOptions, command: string): Promise<BenchResult> {
  const started = Date.now();
  const m = machine();
  const dir = mkdtempSync(join(tmpdir(), 'mwva-bench-failover-'));
  chmodSync(dir, 0o755); // the postgres OS user must reach its data folders
  const own = new OwnServices(join(dir, 'services'));
  let stack: Stack | null = null;
  const incidents: Incident[] = [];
  const removeCleanup = onInterrupt(async () => {
    await stack?.stop();
    await own.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  try {
    await own.startAll();
    stack = await new Stack({ stores: own.env(), replicas: 3, timeScale: 0.1, carrierDialRate: 30 }).start();
    const s = stack;
    const load = new WebhookLoad({
      baseUrl: s.url,
      ca: s.nginx!.ca,
      signingKey: s.secrets.privateKey,
      connectionId: s.secrets.connectionId,
    });
    await load.step(30, 3, false); // warm-up
    let running = true;
    const callsLoop = (async () => {
      while (running) {
        s.carrier.place(1); // live calls too, 2 per second
        await sleep(500);
      }
    })();
    const loadDone = load.step(o.rate, 3600); // stopped after the last incident
    const t0 = Date.now();

    /** First whole second after `from` from which `quietS` seconds had no failed webhook. */
    const healthyFrom = async (from: number, quietS = 3): Promise<number | null> => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        await sleep(1000);
        const seconds = load.timeline.filter((p: SecondPoint) => p.t >= Math.floor(from / 1000) * 1000);
        for (let i = 0; i + quietS <= seconds.length; i++) {
          if (seconds.slice(i, i + quietS).every((p) => p.errors === 0 && p.ok > 0)) return seconds[i]!.t;
        }
      }
      return null;
    };
    const allReady = async () => {
      const deadline = Date.now() + 60_000;
      for (const r of s.replicas) {
        while (Date.now() < deadline) {
          const ok = await fetch(`${r.url}/readyz`, { signal: AbortSignal.timeout(2000) }).then(
            (x) => x.ok,
            () => false,
          );
          if (ok) break;
          await sleep(100);
        }
      }
      return Date.now();
    };
    const incident = async (
      name: string,
      action: string,
      fault: () => Promise<void>,
      back: () => Promise<void>,
      notes: string,
    ) => {
      await sleep(o.settleS * 1000);
      log(`failover: ${name}: ${action}`);
      const faultAt = Date.now();
      await fault();
      log(`failover: ${name}: fault injected; down for ${o.outageS} s`);
      await sleep(o.outageS * 1000);
      const b0 = Date.now();
      await back();
      const backAt = Date.now();
      log(`failover: ${name}: service back in ${backAt - b0} ms; waiting for healthy traffic`);
      const healthy = await healthyFrom(faultAt);
      const ready = await allReady();
      if (healthy === null) log(`failover: ${name}: traffic did not become healthy within 60 s`);
      const recoveredAt = healthy === null ? null : Math.max(healthy, backAt);
      const failed = load.timeline
        .filter((p) => p.t >= Math.floor(faultAt / 1000) * 1000 && p.t <= (recoveredAt ?? Date.now()))
        .reduce((n, p) => n + p.errors, 0);
      const inc: Incident = {
        name,
        action,
        faultAt,
        backAt,
        recoveredAt,
        serviceStartMs: backAt - b0,
        failedRequests: failed,
        outageToRecoveredS: recoveredAt === null ? null : round((recoveredAt - faultAt) / 1000, 1),
        recoveryS: recoveredAt === null ? null : round((Math.max(recoveredAt, ready) - backAt) / 1000, 1),
        notes,
      };
      incidents.push(inc);
      log(
        `failover: ${name}: back after ${inc.serviceStartMs} ms, recovered ${inc.recoveryS} s later, ${failed} webhooks failed (not acknowledged)`,
      );
    };

    await incident(
      'replica SIGKILL',
      'SIGKILL one of 3 replicas, restart it after the outage',
      async () => {
        s.replicas[1]!.proc.child.kill('SIGKILL');
        await s.replicas[1]!.proc.exited;
      },
      async () => {
        s.startReplica(1);
        await allReady();
      },
      'nginx retries a failed proxy attempt on another replica (proxy_next_upstream, webhooks are idempotent)',
    );
    await incident(
      'redis restart',
      'SIGTERM Redis (live call state, idempotency keys), start it again',
      () => own.stop('redis'),
      async () => {
        own.start('redis');
        await own.waitUp('redis');
      },
      'webhooks need the idempotency claim in Redis: they answer 503 (not acknowledged, carrier retries) until it is back',
    );
    await incident(
      'postgres primary crash + promotion',
      'pg_ctl stop -m immediate on the primary, pg_ctl promote on the sync replica, endpoint switched to it',
      () => own.pgCrash('primary'),
      async () => {
        await own.promoteReplica();
        own.endpoint.switchTo(PORTS.pgReplica);
      },
      'the event inbox is on the primary: webhooks answer 503 until the promoted replica takes writes',
    );
    for (const name of ['ferretdb', 'neo4j', 'chroma'] as const) {
      await incident(
        `${name} stop`,
        `SIGTERM ${name}, start it again`,
        () => own.stop(name),
        async () => {
          own.start(name);
          await own.waitUp(name);
        },
        name === 'ferretdb'
          ? 'raw webhook copies (audit) are batched and dropped with a warning; events are in Postgres'
          : 'events are stored and acknowledged; applying them to calls waits for the store (unapplied rows, recovery sweep)',
      );
    }
    running = false;
    await callsLoop;
    await sleep(o.settleS * 1000);
    load.stop();
    log('failover: incidents done; finishing the load');
    const summary = await loadDone;
    load.close();
    await s.carrier.idle(120_000);
    // catch-up: every stored event applied again after the outages
    const catchUpStart = Date.now();
    let unapplied = -1;
    for (let i = 0; i < 120; i++) {
      unapplied = await withClient(own.primaryUrl, async (c) =>
        Number(
          (await c.query<{ n: string }>('select count(*) as n from call_events where applied_at is null')).rows[0]?.n,
        ),
      );
      if (unapplied === 0) break;
      await sleep(1000);
    }
    const acked = await eventsPresent(own.primaryUrl, load.acked);
    const carrier = await s.carrier.report();
    const callEvents = await eventsPresent(own.primaryUrl, carrier.eventIdsByCall.flat());
    const worstRecovery = Math.max(...incidents.map((i) => i.recoveryS ?? Infinity));
    const result: BenchResult = {
      scenario: 'failover',
      command,
      machine: m,
      loadAvgAfter: machine().loadAvg,
      durationS: round((Date.now() - started) / 1000, 1),
      bars: [bar('recovery time (worst incident)', 30, 's', Number.isFinite(worstRecovery) ? worstRecovery : null)],
      rate: o.rate,
      outageS: o.outageS,
      load: {
        sent: summary.sent,
        ok: summary.ok,
        failed: summary.errors,
        errorsByStatus: summary.errorsByStatus,
        latencyMs: summary.latencyMs,
      },
      acknowledged: { count: acked.expected, inCallEvents: acked.present, lost: acked.missing },
      simulatedCalls: {
        events: callEvents.expected,
        inCallEvents: callEvents.present,
        missing: callEvents.missing,
        exhausted: carrier.stats.webhooks.exhausted,
        failedAttempts: carrier.stats.webhooks.failedAttempts,
      },
      catchUp: { unappliedAtEnd: unapplied, seconds: round((Date.now() - catchUpStart) / 1000, 1) },
      incidents: incidents.map((i) => ({
        ...i,
        faultAtS: round((i.faultAt - t0) / 1000, 1),
        backAtS: round((i.backAt - t0) / 1000, 1),
      })),
      timeline: load.timeline.map((p) => ({ ...p, s: round((p.t - t0) / 1000, 0) })),
    };
    emit(result, o);
    if (acked.missing > 0) process.exitCode = 1;
    return result;
  } finally {
    removeCleanup();
    await stack?.stop();
    await own.stopAll().catch((e: Error) => log(`own services stop: ${e.message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
