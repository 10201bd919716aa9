/**
 * The Telnyx-side simulator in its own process (a benchmark must not share the event loop of
 * what it measures). Started with fork() by support/carrier.ts; talks over the IPC channel:
 *   ← {type:'drive', calls, concurrency, startRate, timeoutMs}   place inbound calls, C at a time
 *   ← {type:'report'}                                             stats, emitted event ids, dial arrivals
 *   ← {type:'close'}
 * Env: SIM_PORT, SIM_HOST (default 127.0.0.1), SIM_API_KEY, SIM_CONNECTION_ID, SIM_WEBHOOK_URL, SIM_SIGNING_KEY_PEM,
 * SIM_TIME_SCALE, SIM_DIAL_RATE, SIM_SEED (and NODE_EXTRA_CA_CERTS to reach nginx over HTTPS).
 */
import { createPrivateKey } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { simulator } from '@mwva/voice-core';

export type CarrierRequest =
  | { type: 'drive'; calls: number; concurrency: number; startRate: number; timeoutMs: number }
  | { type: 'place'; count: number }
  | { type: 'idle'; timeoutMs: number }
  | { type: 'report' }
  | { type: 'close' };

export interface CarrierReport {
  stats: simulator.SimulatorStats;
  /**
   * ids of every webhook event the carrier emitted, one list per call (each must be in call_events
   * once; an event the carrier gave up on blocks its call's later ones)
   */
  eventIdsByCall: string[][];
  /** outbound calls: destination and when the dial request reached the carrier (epoch ms) */
  dials: Array<{ to: string; at: number }>;
  ended: number;
  total: number;
  /** calls that had not ended when the report was taken (a hang is then diagnosable) */
  unended: Array<{
    direction: string;
    startedAt: string;
    answeredAt: string | null;
    lastEvents: string[];
    utterances: number;
  }>;
}

export type CarrierMessage =
  | { type: 'listening'; url: string; publicKeyBase64: string }
  | { type: 'progress'; started: number; ended: number }
  | { type: 'driven'; started: number; ended: number; durationMs: number }
  | { type: 'report'; report: CarrierReport }
  | { type: 'idle'; idle: boolean }
  | { type: 'error'; message: string };

const send = (m: CarrierMessage) => process.send?.(m);

async function main(): Promise<void> {
  // The dispatcher shares one AbortSignal across every in-flight webhook (hundreds at 1000 calls).
  setMaxListeners(0);
  const sim = await simulator.createCarrierSimulator({
    host: process.env.SIM_HOST || '127.0.0.1',
    port: Number(process.env.SIM_PORT ?? 0),
    apiKey: process.env.SIM_API_KEY!,
    connectionId: process.env.SIM_CONNECTION_ID!,
    webhookUrl: process.env.SIM_WEBHOOK_URL!,
    signingKey: createPrivateKey(process.env.SIM_SIGNING_KEY_PEM!),
    seed: Number(process.env.SIM_SEED ?? 42),
    timeScale: Number(process.env.SIM_TIME_SCALE ?? 1),
    dialRatePerSecond: Number(process.env.SIM_DIAL_RATE ?? 30),
  });
  // Counted from the stats (one pass, no copies): sim.calls() deep-copies every call record, and
  // calling it per placed call made the load generator itself the bottleneck (a CPU profile
  // showed 29 % of the carrier's time in those copies, delaying the webhooks it measures).
  const ended = () => sim.stats().calls.ended;

  async function drive(r: Extract<CarrierRequest, { type: 'drive' }>): Promise<void> {
    const t0 = Date.now();
    const base = ended();
    const deadline = t0 + r.timeoutMs;
    const tickMs = 50;
    const perTick = r.startRate > 0 ? Math.max(1, Math.round((r.startRate * tickMs) / 1000)) : 1000;
    let started = 0;
    let lastProgress = 0;
    for (let done = 0; done < r.calls && Date.now() < deadline; done = ended() - base) {
      const room = Math.min(r.calls - started, r.concurrency - (started - done), perTick);
      const burst = Array.from({ length: Math.max(0, room) }, () => sim.placeInboundCall().catch(() => undefined));
      started += burst.length;
      await Promise.all(burst);
      if (Date.now() - lastProgress > 1000) {
        lastProgress = Date.now();
        send({ type: 'progress', started, ended: done });
      }
      await new Promise((res) => setTimeout(res, tickMs));
    }
    await sim.waitForIdle(Math.max(1000, deadline - Date.now())).catch(() => undefined);
    send({ type: 'driven', started, ended: ended() - base, durationMs: Date.now() - t0 });
  }

  process.on('message', (raw: CarrierRequest) => {
    void (async () => {
      try {
        if (raw.type === 'drive') await drive(raw);
        if (raw.type === 'place')
          for (let i = 0; i < raw.count; i++) void sim.placeInboundCall().catch(() => undefined);
        if (raw.type === 'idle') {
          const idle = await sim.waitForIdle(raw.timeoutMs).then(
            () => true,
            () => false,
          );
          send({ type: 'idle', idle });
        }
        if (raw.type === 'report') {
          const calls = sim.calls();
          send({
            type: 'report',
            report: {
              stats: sim.stats(),
              eventIdsByCall: calls.map((c) => c.webhooks.map((w) => w.id)),
              dials: calls
                .filter((c) => c.direction === 'outbound')
                .map((c) => ({ to: c.to, at: Date.parse(c.startedAt) })),
              ended: ended(),
              total: calls.length,
              unended: calls
                .filter((c) => c.endedAt === null)
                .slice(0, 20)
                .map((c) => ({
                  direction: c.direction,
                  startedAt: c.startedAt,
                  answeredAt: c.answeredAt,
                  lastEvents: c.webhooks.slice(-5).map((w) => w.eventType),
                  utterances: c.utterances.length,
                })),
            },
          });
        }
        if (raw.type === 'close') {
          await sim.close();
          process.exit(0);
        }
      } catch (err) {
        send({ type: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  process.once('SIGTERM', () => void sim.close().finally(() => process.exit(0)));
  send({ type: 'listening', url: sim.url, publicKeyBase64: sim.publicKeyBase64 });
}

main().catch((err: unknown) => {
  send({ type: 'error', message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
