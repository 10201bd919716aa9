/**
 * Replica failover: under load (open-loop signed webhooks and GET /readyz through nginx over
 * HTTPS, plus live simulated calls), one API replica's process is SIGKILLed — a crash, from
 * outside Docker's API, so the restart policy acts (`docker kill` counts as a manual stop and
 * is not restarted). The clients see no failed request (nginx retries on another replica), the
 * engine restarts the container, it turns healthy and serves again. Each step is timed; every
 * acknowledged webhook must be in the inbox afterwards.
 */
import type { CarrierProcess } from '@mwva/bench/dist/support/carrier';
import { WebhookLoad } from '@mwva/bench/dist/support/load';
import { carrierSecrets, startCarrier } from './support/carrier';
import { baseUrl, pebbleRoot } from './support/https';
import { inboxHas } from './support/inbox';
import { record } from './support/results';
import { sleep, waitFor } from '@mwva/testkit';
import { containersOf, docker, hostPid, inspect, waitHealth } from './support/stack';

const RATE = Number(process.env.COMPOSE_FAILOVER_RATE || 60);

/** GET /readyz through nginx in a loop (bounded by the test), counting failures. */
function readyzLoop(ca: string) {
  const failures: string[] = [];
  let ok = 0;
  let running = true;
  const loop = (async () => {
    const { Agent, request } = await import('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: 2, ca });
    const deadline = Date.now() + 300_000;
    while (running && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const req = request(`${baseUrl()}/readyz`, { agent }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok++;
            else failures.push(`readyz ${res.statusCode}`);
            resolve();
          });
        });
        req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
        req.on('error', (e) => {
          failures.push(`readyz ${e.message}`);
          resolve();
        });
        req.end();
      });
      await sleep(100);
    }
    agent.destroy();
  })();
  return { stop: async () => ((running = false), await loop, { ok, failures }) };
}

describe('replica failover: SIGKILL of one API replica under load', () => {
  let carrier: CarrierProcess | undefined;

  afterAll(async () => {
    await carrier?.close();
  });

  test('0 failed client requests; the restart policy brings it back healthy and serving', async () => {
    const root = await pebbleRoot();
    carrier = await startCarrier({ timeScale: 0.1 });
    const secrets = carrierSecrets();
    const load = new WebhookLoad({
      baseUrl: baseUrl(),
      ca: root.pem,
      signingKey: secrets.privateKey,
      connectionId: secrets.connectionId,
    });
    await load.step(20, 2, false); // warm-up: TLS sessions, pools
    const victim = (await containersOf('voice-agent-api'))[1]!;
    const restartsBefore = (await inspect(victim.name)).RestartCount as number;
    const ready = readyzLoop(root.pem);
    const calls = (async () => {
      for (let i = 0; i < 30; i++) {
        carrier!.place(1);
        await sleep(500);
      }
    })();
    const webhooks = load.step(RATE, 40); // 40 s of open-loop webhooks
    await sleep(8_000);

    const killedAt = Date.now();
    process.kill(await hostPid(victim.name), 'SIGKILL');
    const restartedAt = await waitFor(
      async () => {
        const i = await inspect(victim.name);
        return (i.RestartCount as number) > restartsBefore && i.State.Running
          ? Date.parse(i.State.StartedAt as string)
          : undefined;
      },
      60_000,
      'the engine to restart the killed replica',
      200,
    );
    const healthyAt = await waitHealth(victim.name, 'healthy', 120_000);
    // Serving again: nginx sends it requests (its address appears as an upstream in the access log).
    const address = (
      Object.values((await inspect(victim.name)).NetworkSettings.Networks) as Array<{ IPAddress: string }>
    ).map((n) => n.IPAddress);
    const nginx = (await containersOf('nginx'))[0]!;
    const servingAt = await waitFor(
      async () => {
        const since = Math.floor(healthyAt / 1000) - 1;
        const logs = await docker(['logs', '--since', String(since), nginx.name]);
        return logs
          .split('\n')
          .some((l) => address.some((a) => l.includes(`"upstream":"${a}:5000"`)) && /"status":2\d\d/.test(l))
          ? Date.now()
          : undefined;
      },
      60_000,
      'nginx to send requests to the restarted replica',
      1000,
    );
    const step = await webhooks;
    await calls;
    const readyz = await ready.stop();
    load.close();
    await carrier.idle(120_000);
    const stored = await inboxHas(load.acked);

    const figures = {
      webhookRate: RATE,
      webhooks: {
        sent: step.sent,
        ok: step.ok,
        errors: step.errors,
        errorsByStatus: step.errorsByStatus,
        latencyMs: step.latencyMs,
      },
      readyz,
      killToRestartedS: Math.round((restartedAt - killedAt) / 100) / 10,
      killToHealthyS: Math.round((healthyAt - killedAt) / 100) / 10,
      killToServingS: Math.round((servingAt - killedAt) / 100) / 10,
      acknowledgedWebhooksMissingFromInbox: stored.missing,
      missingSample: stored.missingSample,
    };
    record('replica-failover', figures);

    expect(step.errors).toBe(0);
    expect(readyz.failures).toEqual([]);
    expect(readyz.ok).toBeGreaterThan(50);
    expect((await inspect(victim.name)).RestartCount).toBe(restartsBefore + 1);
    // An acknowledged webhook must be in the inbox. Known bug (being fixed in voice-core): a
    // replica killed between its Redis claim of the event and the inbox commit leaves the claim,
    // so nginx's retry on another replica is acknowledged as a duplicate and the event is lost.
    expect({ acknowledgedButLost: stored.missing, sample: stored.missingSample }).toEqual({
      acknowledgedButLost: 0,
      sample: [],
    });
  });
});
