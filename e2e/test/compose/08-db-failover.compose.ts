/**
 * Database failover: under load (open-loop signed webhooks through nginx and live simulated
 * calls whose webhooks the carrier retries as Telnyx does), the Postgres container is restarted
 * (`docker restart`), then its server is SIGKILLed (the restart policy brings it back). For each:
 * the time until Postgres is healthy and until the API serves webhooks again (recovery, against
 * the seed's 30 s), the webhooks refused meanwhile (not acknowledged: the sender retries them),
 * and afterwards: every call ended, every acknowledged webhook stored, no call counted twice. The
 * inbox catch-up is measured, not yet asserted (see the end of the test).
 */
import type { CarrierProcess } from '@mwva/bench/dist/support/carrier';
import { WebhookLoad, type SecondPoint } from '@mwva/bench/dist/support/load';
import { carrierSecrets, startCarrier } from './support/carrier';
import { baseUrl, pebbleRoot } from './support/https';
import { inboxHas, rollupCounts, settledInbox, unexplainedUnapplied } from './support/inbox';
import { record } from './support/results';
import { sleep, waitFor } from '@mwva/testkit';
import { containerOf, containersOf, docker, hostPid, inspect, waitHealth } from './support/stack';

const RATE = Number(process.env.COMPOSE_FAILOVER_RATE || 40);
/** Hang guard: recovery is measured, and must at least happen within this. */
const RECOVERY_GUARD_MS = 180_000;

interface Incident {
  name: string;
  postgresHealthyS: number;
  recoveredS: number | null;
  refusedWebhooks: number;
}

/** First whole second at/after `from` that starts `quiet` seconds of webhooks without a failure. */
function recoveredAt(timeline: SecondPoint[], from: number, quiet = 3): number | null {
  const seconds = timeline.filter((p) => p.t >= Math.floor(from / 1000) * 1000);
  for (let i = 0; i + quiet <= seconds.length; i++) {
    if (seconds.slice(i, i + quiet).every((p) => p.errors === 0 && p.ok > 0)) return seconds[i]!.t;
  }
  return null;
}

async function apisReady(): Promise<void> {
  for (const api of await containersOf('voice-agent-api')) {
    await waitFor(
      async () =>
        (
          await docker([
            'exec',
            api.name,
            'node',
            '-e',
            'fetch("http://127.0.0.1:5000/readyz").then(r=>console.log(r.status))',
          ])
        ).trim() === '200'
          ? true
          : undefined,
      RECOVERY_GUARD_MS,
      `${api.name} /readyz`,
      500,
    );
  }
}

describe('database failover: Postgres restarted, then killed, under load', () => {
  let carrier: CarrierProcess | undefined;

  afterAll(async () => {
    await carrier?.close();
  });

  test('the API recovers after each; no acknowledged webhook lost, none counted twice', async () => {
    const root = await pebbleRoot();
    carrier = await startCarrier({ timeScale: 0.1 });
    const secrets = carrierSecrets();
    const load = new WebhookLoad({
      baseUrl: baseUrl(),
      ca: root.pem,
      signingKey: secrets.privateKey,
      connectionId: secrets.connectionId,
    });
    await load.step(20, 2, false);
    const before = await rollupCounts();
    const since = new Date();
    const pg = await containerOf('postgres');
    let running = true;
    const calls = (async () => {
      for (let i = 0; running && i < 400; i++) {
        carrier!.place(1);
        await sleep(500);
      }
    })();
    const webhooks = load.step(RATE, 240);
    const incidents: Incident[] = [];

    const incident = async (name: string, fault: () => Promise<void>) => {
      await sleep(10_000);
      const t0 = Date.now();
      await fault();
      const healthy = await waitHealth(pg.name, 'healthy', RECOVERY_GUARD_MS);
      await apisReady();
      const recovered = await waitFor(
        async () => recoveredAt(load.timeline, t0) ?? undefined,
        RECOVERY_GUARD_MS,
        `${name}: webhooks to succeed again`,
        1000,
      );
      const refused = load.timeline
        .filter((p) => p.t >= Math.floor(t0 / 1000) * 1000 && p.t <= recovered)
        .reduce((n, p) => n + p.errors, 0);
      incidents.push({
        name,
        postgresHealthyS: Math.round((healthy - t0) / 100) / 10,
        recoveredS: Math.round((Math.max(recovered, t0) - t0) / 100) / 10,
        refusedWebhooks: refused,
      });
    };

    await incident('docker restart postgres', async () => {
      await docker(['restart', '-t', '10', pg.name]);
    });
    await incident('SIGKILL of the Postgres server (restart policy)', async () => {
      // A manual restart resets RestartCount: the new start time tells the engine restarted it.
      const startedBefore = (await inspect(pg.name)).State.StartedAt as string;
      process.kill(await hostPid(pg.name), 'SIGKILL');
      await waitFor(
        async () => {
          const i = await inspect(pg.name);
          return i.State.Running && i.State.StartedAt !== startedBefore ? true : undefined;
        },
        60_000,
        'the engine to restart postgres',
        200,
      );
    });
    load.stop();
    running = false;
    const step = await webhooks;
    await calls;
    load.close();
    const idle = await carrier.idle(300_000);
    const report = await carrier.report();
    const stored = await inboxHas(load.acked);
    // How far the inbox catches up. The aim: everything stored is applied, except events of calls
    // one of whose webhooks the carrier gave up on (they wait, then become dead letters).
    const inbox = await settledInbox(since, RECOVERY_GUARD_MS);
    const unexplained = await unexplainedUnapplied(since, report.eventIdsByCall);
    const after = await rollupCounts();
    const figures = {
      webhookRate: RATE,
      incidents,
      webhooks: { sent: step.sent, acknowledged: step.ok, refused: step.errors, errorsByStatus: step.errorsByStatus },
      carrier: {
        calls: report.total,
        ended: report.ended,
        webhookAttempts: report.stats.webhooks.attempts,
        failedAttempts: report.stats.webhooks.failedAttempts,
        exhausted: report.stats.webhooks.exhausted,
        commandsByStatus: report.stats.responsesByStatus,
      },
      acknowledgedLost: stored.missing,
      missingSample: stored.missingSample,
      inboxAfterCatchUp: inbox,
      unappliedUnexplained: unexplained,
      callsCountedInRollups: after.counted - before.counted,
      callsMarkedCounted: after.distinct - before.distinct,
    };
    record('db-failover', figures);

    expect(incidents).toHaveLength(2);
    expect(idle).toBe(true);
    expect(report.ended).toBe(report.total);
    expect({ acknowledgedButLost: stored.missing, sample: stored.missingSample }).toEqual({
      acknowledgedButLost: 0,
      sample: [],
    });
    expect(step.ok).toBeGreaterThan(0);
    // Every carrier event it did not give up on is stored: its calls continued through the outages.
    const carrierStored = await inboxHas(report.eventIdsByCall.flat());
    expect(carrierStored.missing).toBeLessThanOrEqual(report.stats.webhooks.exhausted);
    expect(after.counted - before.counted).toBe(after.distinct - before.distinct);
    // The inbox catches up: every stored event is applied, except those of calls one of whose
    // webhooks the carrier gave up on (they wait, then become dead letters). This failed while
    // stale replies held each call's queue (3141 unapplied after 06, then 08's own behind them).
    expect(unexplained).toEqual({ count: 0, sample: [] });
    expect(inbox.orphanCalls).toBeLessThanOrEqual(report.stats.webhooks.exhausted);
  });
});
