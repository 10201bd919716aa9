import { createServer, request as httpRequest, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { inboundCallId, openStores, simulator, type Stores } from '@mwva/voice-core';
import { freePort, waitFor } from '@mwva/testkit';
import { runCli, type CliRun } from './helpers/process';
import { expectedOutcome, expectSpokenAsCarrierHeard } from './helpers/simulated-calls';

function env(name: string): string {
  const value = process.env[name];
  if (!value)
    throw new Error(`${name} is not set: run \`eval "$(bash deploy/local/services.sh up)"\` before npm run test:stack`);
  return value;
}

/**
 * Two API processes share Redis and the stores; a relay hands the carrier's webhooks to them
 * alternately, so consecutive events of one call land on different replicas.
 */
describe('two replicas sharing Redis take alternate events of the same call', () => {
  const dataDirs: string[] = [];
  const replicas: CliRun[] = [];
  const ports: number[] = [];
  const delivered = [0, 0];
  let relay: Server;
  let carrier: simulator.CarrierSimulator;
  let stores: Stores;

  beforeAll(async () => {
    const relayPort = await freePort();
    let next = 0;
    relay = createServer((req, res) => {
      const target = next++ % 2;
      delivered[target]! += 1;
      const forward = httpRequest(
        { host: '127.0.0.1', port: ports[target], method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => res.writeHead(502).end());
      req.pipe(forward);
    }).listen(relayPort, '127.0.0.1');

    carrier = await simulator.createCarrierSimulator({
      apiKey: 'KEYtwo-replicas',
      webhookUrl: `http://127.0.0.1:${relayPort}/telnyx/webhooks`,
      connectionId: 'conn-two-replicas',
      seed: 314,
      // Native stores (FerretDB especially) are slower than PGlite in process: give prospects realistic patience.
      timeScale: 0.3,
    });
    const shared = {
      NEON_DATABASE_URL: env('NEON_DATABASE_URL'),
      REDIS_URL: env('REDIS_URL'),
      MONGODB_URI: env('MONGODB_URI'),
      NEO4J_URI: env('NEO4J_URI'),
      CHROMA_HOST: env('CHROMA_HOST'),
      TELNYX_API_KEY: 'KEYtwo-replicas',
      TELNYX_PUBLIC_KEY: carrier.publicKeyBase64,
      TELNYX_CONNECTION_ID: 'conn-two-replicas',
      TELNYX_BASE_URL: `${carrier.url}/v2`,
      API_TOKEN: 'two-replicas-token-0123456789',
      HOST: '127.0.0.1',
    };
    for (let i = 0; i < 2; i += 1) {
      const port = await freePort();
      const dataDir = mkdtempSync(join(tmpdir(), `mwva-replica-${i}-`));
      ports.push(port);
      dataDirs.push(dataDir);
      replicas.push(runCli(['serve'], { ...shared, PORT: String(port), DATA_DIR: dataDir }));
    }
    for (const port of ports) {
      await waitFor(
        async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200 ? true : undefined),
        60_000,
        `replica on ${port}`,
      );
    }
    stores = await openStores(
      {
        dataDir: null,
        postgres: { url: shared.NEON_DATABASE_URL },
        mongodb: { uri: shared.MONGODB_URI },
        neo4j: { uri: shared.NEO4J_URI },
        chroma: { host: shared.CHROMA_HOST },
        redis: { url: shared.REDIS_URL },
      },
      new Registry(),
    );
  }, 120_000);

  afterAll(async () => {
    for (const r of replicas) r.child.kill('SIGTERM');
    setTimeout(() => replicas.forEach((r) => r.child.kill('SIGKILL')), 20_000).unref();
    await Promise.all(replicas.map((r) => r.exited));
    await carrier?.close();
    await stores?.close();
    relay?.close();
    for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
  }, 60_000);

  it('ends every call correctly, each event applied once, with both replicas doing the work', async () => {
    const calls = [];
    for (let i = 0; i < 6; i += 1) calls.push(await carrier.placeInboundCall({ from: `+1555060${1000 + i}` }));
    await carrier.waitForIdle(120_000);
    const ids = calls.map((c) => inboundCallId(c.callControlId));
    await waitFor(
      async () => ((await Promise.all(ids.map((id) => stores.calls.isRolledUp(id)))).every(Boolean) ? true : undefined),
      60_000,
      'every call finalized by one of the replicas',
    );
    expect(delivered[0]).toBeGreaterThan(10);
    expect(delivered[1]).toBeGreaterThan(10);

    let sameOutcome = 0;
    for (const sim of carrier.calls()) {
      const id = inboundCallId(sim.callControlId);
      const call = (await stores.calls.getCall(id))!;
      expect(call.status).toBe('ended');
      expect(call.hangupCause).toBe(sim.hangupCause);
      if (call.outcome === expectedOutcome(sim)) sameOutcome += 1;
      const events = await stores.calls.listEvents(id);
      expect(events.map((e) => e.id).sort()).toEqual([...new Set(sim.webhooks.map((w) => w.id))].sort());
      const transcript = await stores.transcripts.getTranscript(id);
      const heard = sim.utterances.filter((u) => u.transcribed && u.role !== 'voicemail').map((u) => u.text);
      expect(
        transcript
          .filter((t) => t.speaker === 'prospect')
          .map((t) => t.text)
          .sort(),
      ).toEqual([...heard].sort());
      expectSpokenAsCarrierHeard(
        transcript.filter((t) => t.speaker === 'agent').map((t) => t.text),
        sim,
      );
    }
    // Outcomes also depend on understanding the prospect (measured at ~95 % in docs/BENCHMARKS.md).
    expect(sameOutcome).toBeGreaterThanOrEqual(5);
  }, 240_000);
});
