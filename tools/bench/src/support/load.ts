import { randomUUID, type KeyObject } from 'node:crypto';
import { Agent, request } from 'node:https';
import { simulator } from '@mwva/voice-core';
import { percentiles, round, type Percentiles } from './stats';

export interface LoadTarget {
  baseUrl: string;
  ca: string;
  signingKey: KeyObject;
  connectionId: string;
  /** Open connections at most. nginx allows 100 per client address (limit_conn). */
  maxSockets?: number;
}

export interface StepResult {
  rate: number;
  durationS: number;
  sent: number;
  ok: number;
  errors: number;
  errorsByStatus: Record<string, number>;
  throughput: number;
  latencyMs: Percentiles;
}

export interface SecondPoint {
  t: number;
  sent: number;
  ok: number;
  errors: number;
  p50: number;
  p99: number;
}

/**
 * Open-loop load of signed Telnyx webhooks (unique event id each; an event type the engine stores
 * and acknowledges without a live call): requests go out on schedule whether or not earlier ones
 * answered, and latency is measured from the scheduled send time, so a stall shows up in full
 * (no coordinated omission). Every event id answered 2xx is kept: `acked`.
 */
export class WebhookLoad {
  private readonly agent: Agent;
  readonly acked: string[] = [];
  readonly timeline: SecondPoint[] = [];
  private inFlight = new Set<Promise<void>>();
  private stopping = false;

  /** Ends a running step early (it resolves with what was sent so far). */
  stop(): void {
    this.stopping = true;
  }

  constructor(private readonly target: LoadTarget) {
    this.agent = new Agent({ keepAlive: true, maxSockets: target.maxSockets ?? 90, ca: target.ca });
  }

  /** Runs `rate` requests/s for `durationS` seconds (then waits for the stragglers). */
  async step(rate: number, durationS: number, keepAcks = true): Promise<StepResult> {
    const latencies: number[] = [];
    const errorsByStatus: Record<string, number> = {};
    let sent = 0;
    let ok = 0;
    let second: { t: number; sent: number; ok: number; errors: number; lat: number[] } | null = null;
    const flushSecond = () => {
      if (!second) return;
      const p = percentiles(second.lat);
      this.timeline.push({
        t: second.t,
        sent: second.sent,
        ok: second.ok,
        errors: second.errors,
        p50: p.p50,
        p99: p.p99,
      });
    };
    const t0 = performance.now();
    const total = Math.round(rate * durationS);
    this.stopping = false;
    while (sent < total && !this.stopping) {
      const due = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * rate));
      for (; sent < due; sent++) {
        const scheduled = t0 + (sent / rate) * 1000;
        const p = this.one(scheduled).then(({ ms, status, id }) => {
          const sec = Math.floor(Date.now() / 1000) * 1000;
          if (!second || second.t !== sec) {
            flushSecond();
            second = { t: sec, sent: 0, ok: 0, errors: 0, lat: [] };
          }
          second.sent++;
          second.lat.push(ms);
          latencies.push(ms);
          if (status >= 200 && status < 300) {
            ok++;
            second.ok++;
            if (keepAcks) this.acked.push(id);
          } else {
            second.errors++;
            errorsByStatus[String(status)] = (errorsByStatus[String(status)] ?? 0) + 1;
          }
        });
        this.inFlight.add(p);
        void p.finally(() => this.inFlight.delete(p));
      }
      await new Promise((r) => setTimeout(r, 5));
    }
    await Promise.all([...this.inFlight]);
    flushSecond();
    const elapsed = (performance.now() - t0) / 1000;
    return {
      rate,
      durationS: round(elapsed, 2),
      sent,
      ok,
      errors: sent - ok,
      errorsByStatus,
      throughput: round(ok / elapsed, 1),
      latencyMs: percentiles(latencies),
    };
  }

  close(): void {
    this.agent.destroy();
  }

  private one(scheduled: number): Promise<{ ms: number; status: number; id: string }> {
    const id = randomUUID();
    const body = JSON.stringify({
      data: {
        record_type: 'event',
        id,
        event_type: 'call.playback.started',
        occurred_at: new Date().toISOString(),
        payload: { call_control_id: `v3:bench-${id}`, connection_id: this.target.connectionId },
      },
      meta: { attempt: 1 },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': simulator.signWebhook(this.target.signingKey, timestamp, body),
    };
    return new Promise((resolve) => {
      const finish = (status: number) => resolve({ ms: performance.now() - scheduled, status, id });
      const req = request(
        `${this.target.baseUrl}/telnyx/webhooks`,
        { method: 'POST', agent: this.agent, headers },
        (res) => {
          res.resume();
          res.on('end', () => finish(res.statusCode ?? 0));
          res.on('error', () => finish(0));
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('client timeout')));
      req.on('error', () => finish(0));
      req.end(body);
    });
  }
}
