import { sign, type KeyObject } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Rng } from '../util/rng';
import type { LatencySummary } from './types';
import { percentiles } from '../util/percentiles';

/** The `data` object of a Telnyx webhook. */
export interface EventData {
  record_type: 'event';
  event_type: string;
  id: string;
  occurred_at: string;
  payload: object;
}

export interface WebhookEnvelope {
  data: EventData;
  meta: { attempt: number; delivered_to: string };
}

/** One call's ordered delivery queue. */
export interface DeliveryQueue {
  items: Array<{ data: EventData; url: string; holdBack: boolean }>;
  running: boolean;
  wake: (() => void) | null;
  /** Fault decisions for this call (seeded per call). */
  rng: Rng;
}

export interface DispatcherOptions {
  signingKey: KeyObject;
  timeoutMs: number;
  maxAttempts: number;
  duplicateRate: number;
  reorderRate: number;
  maxExtraDelayMs: number;
  /** Sim ms → real ms. */
  scale: (simMs: number) => number;
}

const MAX_LATENCY_SAMPLES = 200_000;
/** How long (sim ms) a held-back event waits for its successor before going out anyway. */
const REORDER_HOLD_SIM_MS = 2000;
/** Retry backoff (sim ms) before attempt n+1: 1 s, 2 s, 4 s … */
const RETRY_BASE_SIM_MS = 1000;

export function signWebhook(key: KeyObject, timestamp: string, body: string | Buffer): string {
  return sign(null, Buffer.concat([Buffer.from(`${timestamp}|`), Buffer.from(body)]), key).toString('base64');
}

/** The project's one percentile definition (nearest rank), to the hundredth of a millisecond. */
export function summarize(samples: readonly number[]): LatencySummary {
  return percentiles(samples, 2);
}

/**
 * Delivers webhooks like Telnyx: signed (Ed25519 over `${timestamp}|${body}`), sequential per call,
 * concurrent across calls, retried with backoff on non-2xx or timeout (same data.id, meta.attempt + 1),
 * with optional duplicate / reorder / delay faults.
 */
export class WebhookDispatcher {
  readonly counters = {
    events: 0,
    attempts: 0,
    delivered: 0,
    duplicated: 0,
    reordered: 0,
    failedAttempts: 0,
    exhausted: 0,
    refused: 0,
  };
  readonly latencies: number[] = [];
  private readonly running = new Set<Promise<unknown>>();
  private readonly abort = new AbortController();
  private readonly timers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly opts: DispatcherOptions) {
    // Every delivery in flight listens on the one close signal: many at once is the normal case.
    setMaxListeners(0, this.abort.signal);
  }

  newQueue(rng: Rng): DeliveryQueue {
    return { items: [], running: false, wake: null, rng };
  }

  enqueue(queue: DeliveryQueue, data: EventData, url: string): void {
    if (this.closed) return;
    this.counters.events++;
    queue.items.push({ data, url, holdBack: queue.rng.chance(this.opts.reorderRate) });
    const wake = queue.wake;
    queue.wake = null;
    wake?.();
    if (!queue.running) this.track(this.pump(queue));
  }

  /** Nothing queued or in flight. */
  idle(queues: Iterable<DeliveryQueue>): boolean {
    if (this.running.size > 0) return false;
    for (const q of queues) if (q.items.length > 0 || q.running) return false;
    return true;
  }

  inFlight(): number {
    return this.running.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.abort.abort();
    // Wake every pending sleep (a held-back event's wait included): each loop then sees `closed`.
    for (const [t, wake] of this.timers) {
      clearTimeout(t);
      wake();
    }
    this.timers.clear();
    await Promise.allSettled([...this.running]);
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** Keep-alive pools: one TCP connection per in-flight webhook, reused across events. */
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 512 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 512 });

  private post(url: string, body: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const u = new URL(url);
      const https = u.protocol === 'https:';
      const req = (https ? httpsRequest : httpRequest)(
        u,
        {
          method: 'POST',
          agent: https ? this.httpsAgent : this.httpAgent,
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: this.opts.timeoutMs,
          signal: this.abort.signal,
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('webhook timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }

  private track(p: Promise<unknown>): void {
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
  }

  private sleep(realMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(
        () => {
          this.timers.delete(t);
          resolve();
        },
        Math.max(0, realMs),
      );
      this.timers.set(t, resolve);
    });
  }

  private async pump(queue: DeliveryQueue): Promise<void> {
    queue.running = true;
    try {
      while (queue.items.length > 0 && !this.closed) {
        let item = queue.items.shift()!;
        if (item.holdBack) {
          if (queue.items.length === 0) {
            await Promise.race([
              new Promise<void>((resolve) => {
                queue.wake = resolve;
              }),
              this.sleep(Math.max(5, this.opts.scale(REORDER_HOLD_SIM_MS))),
            ]);
            queue.wake = null;
          }
          const next = queue.items.shift();
          if (next) {
            this.counters.reordered++;
            queue.items.unshift({ ...item, holdBack: false });
            item = next;
          }
        }
        if (queue.rng.chance(this.opts.duplicateRate)) {
          this.counters.duplicated++;
          const copy = item;
          const jitter = queue.rng.range(0, 5);
          this.track(this.sleep(jitter).then(() => this.deliver(copy.data, copy.url, queue.rng)));
        }
        await this.deliver(item.data, item.url, queue.rng);
      }
    } finally {
      queue.running = false;
    }
  }

  private async deliver(data: EventData, url: string, rng: Rng): Promise<void> {
    for (let attempt = 1; attempt <= this.opts.maxAttempts && !this.closed; attempt++) {
      if (this.opts.maxExtraDelayMs > 0) await this.sleep(rng.range(0, this.opts.maxExtraDelayMs));
      if (this.closed) return;
      const envelope: WebhookEnvelope = { data, meta: { attempt, delivered_to: url } };
      const body = JSON.stringify(envelope);
      const timestamp = String(Math.floor(Date.now() / 1000));
      const signature = signWebhook(this.opts.signingKey, timestamp, body);
      this.counters.attempts++;
      const started = performance.now();
      let ok: boolean;
      let status = 0;
      try {
        status = await this.post(url, body, {
          'content-type': 'application/json',
          'user-agent': 'telnyx-webhooks (simulator)',
          'telnyx-signature-ed25519': signature,
          'telnyx-timestamp': timestamp,
        });
        ok = status >= 200 && status < 300;
      } catch {
        ok = false;
      }
      if (ok) {
        this.counters.delivered++;
        if (this.latencies.length < MAX_LATENCY_SAMPLES) this.latencies.push(performance.now() - started);
        return;
      }
      this.counters.failedAttempts++;
      if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
        // Telnyx redelivers only 408, 429, 5xx and timeouts: any other 4xx loses the event.
        this.counters.refused++;
        return;
      }
      if (attempt < this.opts.maxAttempts) {
        await this.sleep(Math.max(1, this.opts.scale(RETRY_BASE_SIM_MS * 2 ** (attempt - 1))));
      }
    }
    if (!this.closed) this.counters.exhausted++;
  }
}
