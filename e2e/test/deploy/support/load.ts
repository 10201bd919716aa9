import { Agent, request } from 'node:https';
import { randomUUID, type KeyObject } from 'node:crypto';
import { simulator } from '@mwva/voice-core';

export interface LoadResult {
  total: number;
  byKind: Record<string, number>;
  failures: Array<{ kind: string; at: number; status: number | string; body?: string }>;
  latenciesMs: number[];
}

export interface LoadTarget {
  baseUrl: string;
  ca: string;
  apiToken: string;
  signingKey: KeyObject;
}

type Kind = 'readyz' | 'webhook' | 'dial';

/**
 * Plain HTTPS load against nginx: GET /readyz, signed Telnyx webhooks (unique event ids) and
 * POST /api/calls. Any status other than the expected one, or a network error, is a failure.
 */
export class LoadGenerator {
  private readonly agent: Agent;
  private running = false;
  private loops: Promise<void>[] = [];
  /** Set while dials are held back; resolved by the dial loop once no dial is in flight. */
  private dialsHeld: { resolve: () => void; done: Promise<void> } | null = null;
  private dialsResumed: () => void = () => {};
  readonly result: LoadResult = { total: 0, byKind: {}, failures: [], latenciesMs: [] };

  constructor(private readonly target: LoadTarget) {
    this.agent = new Agent({ keepAlive: true, maxSockets: 64, ca: target.ca });
  }

  start(opts: { workers: number; dialsPerSecond: number }): void {
    this.running = true;
    for (let i = 0; i < opts.workers; i++) this.loops.push(this.worker());
    this.loops.push(this.dialLoop(opts.dialsPerSecond));
  }

  /**
   * Holds dials back and resolves once none is in flight. A dial is not idempotent, so nginx
   * rightly never resends one that reached a replica; a replica killed with a dial in flight
   * fails that dial, whatever the deployment does. Webhooks and readiness checks keep going.
   */
  holdDials(): Promise<void> {
    let resolve = () => {};
    const done = new Promise<void>((r) => (resolve = r));
    this.dialsHeld = { resolve, done };
    return done;
  }

  resumeDials(): void {
    this.dialsHeld = null;
    this.dialsResumed();
  }

  async stop(): Promise<LoadResult> {
    this.running = false;
    this.resumeDials();
    await Promise.all(this.loops);
    this.agent.destroy();
    return this.result;
  }

  private async worker(): Promise<void> {
    while (this.running) {
      await this.one('readyz');
      await this.one('webhook');
    }
  }

  private async dialLoop(perSecond: number): Promise<void> {
    while (this.running) {
      if (this.dialsHeld) {
        this.dialsHeld.resolve();
        await new Promise<void>((r) => (this.dialsResumed = r));
        continue;
      }
      const started = Date.now();
      await this.one('dial');
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 / perSecond - (Date.now() - started))));
    }
  }

  private async one(kind: Kind): Promise<void> {
    const started = performance.now();
    const { method, path, headers, body, expect } = this.build(kind);
    let status: number | string;
    let text = '';
    try {
      ({ status, text } = await this.send(method, path, headers, body));
    } catch (err) {
      status = (err as NodeJS.ErrnoException).code ?? String(err);
    }
    this.result.total++;
    this.result.byKind[kind] = (this.result.byKind[kind] ?? 0) + 1;
    this.result.latenciesMs.push(performance.now() - started);
    if (status !== expect) this.result.failures.push({ kind, at: Date.now(), status, body: text.slice(0, 200) });
  }

  private build(kind: Kind) {
    if (kind === 'readyz') return { method: 'GET', path: '/readyz', headers: {}, body: '', expect: 200 };
    if (kind === 'dial') {
      const body = JSON.stringify({ to: `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}` });
      const headers = { authorization: `Bearer ${this.target.apiToken}`, 'content-type': 'application/json' };
      return { method: 'POST', path: '/api/calls', headers, body, expect: 202 };
    }
    // An event type the engine stores and acknowledges without a call to apply it to.
    const body = JSON.stringify({
      data: {
        record_type: 'event',
        id: randomUUID(),
        event_type: 'call.playback.started',
        occurred_at: new Date().toISOString(),
        payload: { call_control_id: `v3:${randomUUID()}`, connection_id: 'test' },
      },
      meta: { attempt: 1 },
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const headers = {
      'content-type': 'application/json',
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': simulator.signWebhook(this.target.signingKey, timestamp, body),
    };
    return { method: 'POST', path: '/telnyx/webhooks', headers, body, expect: 200 };
  }

  private send(method: string, path: string, headers: Record<string, string>, body: string) {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        `${this.target.baseUrl}${path}`,
        { method, agent: this.agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.setTimeout(30_000, () => req.destroy(new Error('client timeout')));
      req.on('error', reject);
      req.end(body);
    });
  }
}
