import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { inboundCallId, openStores, simulator, type StoreOptions } from '@mwva/voice-core';
import { freePort, waitFor, createPostgresDatabase, requireEnv } from '@mwva/testkit';
import { runCli, type CliRun } from './helpers/process';
import { WebhookSender } from './helpers/signed-webhooks';

/**
 * kill -9 under concurrent signed load, again and again. Telnyx redelivers every webhook that
 * got no 2xx; when the run is over, every event that was acknowledged must be stored and
 * applied exactly once: each call complete in the inbox, answered, ended and counted once,
 * with each transcript turn recorded once.
 */
/** Per store mode: 24 kills in all, each followed by a full restart of the server (seconds each). */
const MIN_KILLS = 12;
/** Calls started at most; new ones keep starting until the kills are done. */
const MAX_CALLS = 400;
const UTTERANCES = ["it's too expensive", 'now is not a good time', "okay, let's do it"];
/** Each run's calls start in their own hour of 1996, so the rollups can be counted exactly. */
const eraStart = (offsetHours: number) => Date.UTC(1996, 0, 1) + offsetHours * 3_600_000;

interface PlannedCall {
  controlId: string;
  events: { id: string; body: string }[];
}

function planCall(era: number): PlannedCall {
  const controlId = `v3:crash-${randomUUID()}`;
  const ids = { call_control_id: controlId, call_leg_id: randomUUID(), call_session_id: randomUUID() };
  const parties = { from: '+15550001111', to: '+15550002222' };
  const startedAt = new Date(era + Math.floor(Math.random() * 3_000_000)).toISOString();
  let t = Date.now();
  const event = (type: string, payload: Record<string, unknown>) => {
    const id = randomUUID();
    const data = {
      record_type: 'event',
      event_type: type,
      id,
      occurred_at: new Date((t += 1000)).toISOString(),
      payload,
    };
    return { id, body: JSON.stringify({ data, meta: { attempt: 1, delivered_to: 'crash-test' } }) };
  };
  return {
    controlId,
    events: [
      event('call.initiated', { ...ids, ...parties, direction: 'incoming', state: 'parked', start_time: startedAt }),
      event('call.answered', { ...ids, ...parties }),
      ...UTTERANCES.map((transcript) =>
        event('call.transcription', { ...ids, transcription_data: { transcript, is_final: true, confidence: 0.9 } }),
      ),
      event('call.hangup', { ...ids, ...parties, hangup_cause: 'normal_clearing', hangup_source: 'caller' }),
      event('call.cost', { ...ids, total_cost: '0.0100', billed_duration_secs: 30, status: 'success' }),
    ],
  };
}

/** Telnyx's side: posts until a 2xx (a 4xx would lose the event, so it fails the test). */
async function deliverUntilAcked(sender: WebhookSender, body: string, deadline: number): Promise<void> {
  for (;;) {
    if (Date.now() > deadline) throw new Error('an event was never acknowledged before the deadline');
    try {
      const res = await sender.post(body, sender.signed(body));
      if (res.status >= 200 && res.status < 300) return;
      if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
        throw new Error(`refused with ${res.status}: ${await res.text()}`);
      }
    } catch (err) {
      if ((err as Error).message.startsWith('refused with')) throw err;
      // Connection refused or reset: the server is down, or died mid-request.
    }
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
  }
}

describe.each([
  ['embedded stores', async () => ({ env: {}, drop: async () => undefined })],
  [
    'Postgres + Redis',
    // A database of its own: the inbox and dead-letter gauges it waits on then count only its calls.
    async () => {
      const db = await createPostgresDatabase('crash');
      return { env: { NEON_DATABASE_URL: db.url, REDIS_URL: requireEnv('REDIS_URL') }, drop: db.drop };
    },
  ],
] as const)('kill -9 under concurrent signed load (%s)', (_name, nativeStores) => {
  let dataDir: string;
  let carrier: simulator.CarrierSimulator;
  let server: CliRun | null = null;
  let env: Record<string, string>;
  let dropStores: () => Promise<void> = async () => undefined;
  let port: number;
  const sender = new WebhookSender(() => `http://127.0.0.1:${port}`);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'mwva-crash-'));
    port = await freePort();
    // The carrier answers the commands our answers trigger (it knows none of these calls: 404).
    carrier = await simulator.createCarrierSimulator({
      apiKey: 'KEYcrash',
      webhookUrl: 'http://127.0.0.1:9/unused',
      connectionId: 'conn-crash',
      seed: 9,
    });
    env = {
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      API_TOKEN: 'crash-test-token-0123456789',
      LOG_LEVEL: 'error',
      TELNYX_API_KEY: 'KEYcrash',
      TELNYX_PUBLIC_KEY: sender.publicKeyBase64,
      TELNYX_CONNECTION_ID: 'conn-crash',
      TELNYX_BASE_URL: `${carrier.url}/v2`,
    };
    const native = await nativeStores();
    Object.assign(env, native.env);
    dropStores = native.drop;
  }, 60_000);

  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await carrier?.close();
    await dropStores();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  async function start(): Promise<void> {
    server = runCli(['serve'], env);
    await waitFor(
      async () => ((await fetch(`http://127.0.0.1:${port}/readyz`)).ok ? true : undefined),
      120_000,
      `the server to be ready (output: ${server.output().slice(-500)})`,
    );
  }

  it(
    `stores and applies every acknowledged event exactly once across ${MIN_KILLS} kills`,
    async () => {
      const era = eraStart(Math.floor(Math.random() * 8000));
      const deadline = Date.now() + 25 * 60_000;
      await start();

      let kills = 0;
      const killer = (async () => {
        while (kills < MIN_KILLS) {
          await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
          const victim = server!;
          victim.child.kill('SIGKILL');
          await victim.exited;
          kills += 1;
          await start();
        }
      })();

      const calls: PlannedCall[] = [];
      const runCall = async (call: PlannedCall) => {
        for (const e of call.events) {
          await deliverUntilAcked(sender, e.body, deadline);
          await new Promise((r) => setTimeout(r, Math.random() * 40));
        }
      };
      // Keep calls coming, 20 at a time, until every kill has landed under load.
      const workers = Array.from({ length: 20 }, async () => {
        while (kills < MIN_KILLS && calls.length < MAX_CALLS) {
          const call = planCall(era);
          calls.push(call);
          await runCall(call);
        }
      });
      await Promise.all([killer, ...workers]);
      expect(kills).toBeGreaterThanOrEqual(MIN_KILLS);

      // The server that is up now catches up (recovery sweep), then stops cleanly.
      const options: StoreOptions = {
        dataDir: join(dataDir, 'pglite'),
        postgres: env.NEON_DATABASE_URL ? { url: env.NEON_DATABASE_URL } : undefined,
        redis: env.REDIS_URL ? { url: env.REDIS_URL } : undefined,
      };
      const api = (path: string, init: RequestInit = {}) =>
        fetch(`http://127.0.0.1:${port}${path}`, {
          ...init,
          headers: { Authorization: `Bearer ${env.API_TOKEN}`, 'content-type': 'application/json' },
        });
      await waitFor(
        async () => {
          const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
          const backlog = ['voice_inbox_unapplied_events', 'voice_dead_letter_events'].map((name) =>
            Number(new RegExp(`^${name}\\{[^}]*\\} (\\d+)$`, 'm').exec(metrics)?.[1] ?? NaN),
          );
          // Thrown, not returned: the last reason is in the timeout's message.
          if (backlog.some((n) => n !== 0)) throw new Error(`backlog (unapplied, dead letters): ${backlog.join(', ')}`);
          for (const call of calls) {
            const record = (await (await api(`/api/calls/${inboundCallId(call.controlId)}`)).json()) as {
              status?: string;
            };
            if (record.status !== 'ended')
              throw new Error(
                `${call.controlId} is ${JSON.stringify(record).slice(0, 300)}; the server said: ${server!.output().slice(-1500)}`,
              );
          }
          return true;
        },
        180_000,
        'the recovery sweep to apply every stored event, and every call to have ended',
      );
      // Calls that ended in a process killed before its settle timer finalized them are
      // finalized by the recovery sweep once they ended 60 s ago (any replica's, as in
      // production): give it that long, then stop cleanly.
      await new Promise((r) => setTimeout(r, 70_000));
      server!.child.kill('SIGTERM');
      await server!.exited;
      server = null;

      const stores = await openStores(options, new Registry());
      try {
        const missing: string[] = [];
        const unapplied: string[] = [];
        for (const call of calls) {
          const callId = inboundCallId(call.controlId);
          const stored = new Set((await stores.calls.listEvents(callId)).map((e) => e.id));
          for (const e of call.events) if (!stored.has(e.id)) missing.push(`${callId} ${e.id}`);
          unapplied.push(...(await stores.calls.listPendingEventIds(callId)));
          const record = await stores.calls.getCall(callId);
          expect(record).toMatchObject({ status: 'ended', hangupCause: 'normal_clearing', costUsd: 0.01 });
          expect(record?.answeredAt).not.toBeNull();
          const prospect = (await stores.transcripts.getTranscript(callId)).filter((t) => t.speaker === 'prospect');
          expect(prospect.map((t) => t.text).sort()).toEqual([...UTTERANCES].sort());
          expect(await stores.calls.isRolledUp(callId)).toBe(true);
        }
        expect(missing).toEqual([]);
        expect(unapplied).toEqual([]);
        // Counted exactly once each: the rollups of this run's hour hold exactly its calls.
        const rollups = await stores.calls.listRollups({
          from: new Date(era).toISOString(),
          to: new Date(era + 3_600_000).toISOString(),
        });
        expect(rollups.reduce((n, r) => n + r.calls, 0)).toBe(calls.length);
      } finally {
        await stores.close();
      }
    },
    30 * 60_000,
  );
});
