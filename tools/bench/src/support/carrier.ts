import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { CarrierMessage, CarrierReport, CarrierRequest } from './carrier-child';
import type { Secrets } from './replicas';

export interface CarrierOptions {
  port: number;
  /** Listen address (default 127.0.0.1); the compose tests use the Docker bridge's, which the containers reach. */
  host?: string;
  webhookUrl: string;
  secrets: Secrets;
  timeScale: number;
  dialRate: number;
  /** PEM file of the CA that signed nginx's certificate */
  caFile?: string;
  seed?: number;
  /** Extra node flags for the carrier process, e.g. --cpu-prof */
  nodeArgs?: string[];
  /** Extra environment for the carrier process (e.g. what a --require'd module reads) */
  env?: Record<string, string>;
}

/** Handle on the simulated carrier running in its own process (support/carrier-child.ts). */
export class CarrierProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  static async start(o: CarrierOptions): Promise<CarrierProcess> {
    const child = fork(join(__dirname, 'carrier-child.js'), [], {
      env: {
        PATH: process.env.PATH ?? '',
        SIM_PORT: String(o.port),
        SIM_HOST: o.host ?? '127.0.0.1',
        SIM_API_KEY: o.secrets.telnyxApiKey,
        SIM_CONNECTION_ID: o.secrets.connectionId,
        SIM_WEBHOOK_URL: o.webhookUrl,
        SIM_SIGNING_KEY_PEM: o.secrets.privateKeyPem,
        SIM_TIME_SCALE: String(o.timeScale),
        SIM_DIAL_RATE: String(o.dialRate),
        SIM_SEED: String(o.seed ?? 42),
        ...(o.caFile ? { NODE_EXTRA_CA_CERTS: o.caFile } : {}),
        ...o.env,
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...(o.nodeArgs ?? [])],
    });
    const first = await next(child, (m) => m.type === 'listening', 20_000);
    if (first.type !== 'listening') throw new Error('carrier did not start');
    return new CarrierProcess(child, first.url);
  }

  /** Places `calls` inbound calls, `concurrency` at a time; resolves once they ended (or timeout). */
  async drive(
    calls: number,
    concurrency: number,
    startRate: number,
    timeoutMs: number,
    onProgress?: (started: number, ended: number) => void,
  ): Promise<{ started: number; ended: number; durationMs: number }> {
    const listener = (m: CarrierMessage) => {
      if (m.type === 'progress') onProgress?.(m.started, m.ended);
    };
    this.child.on('message', listener);
    try {
      this.request({ type: 'drive', calls, concurrency, startRate, timeoutMs });
      const m = await next(this.child, (x) => x.type === 'driven', timeoutMs + 60_000);
      if (m.type !== 'driven') throw new Error('unexpected carrier message');
      return m;
    } finally {
      this.child.off('message', listener);
    }
  }

  /** Places `count` inbound calls now, without waiting for them. */
  place(count: number): void {
    this.request({ type: 'place', count });
  }

  /** Waits until every call ended and every webhook was delivered (or given up). */
  async idle(timeoutMs: number): Promise<boolean> {
    this.request({ type: 'idle', timeoutMs });
    const m = await next(this.child, (x) => x.type === 'idle', timeoutMs + 10_000);
    return m.type === 'idle' && m.idle;
  }

  async report(): Promise<CarrierReport> {
    this.request({ type: 'report' });
    const m = await next(this.child, (x) => x.type === 'report', 60_000);
    if (m.type !== 'report') throw new Error('unexpected carrier message');
    return m.report;
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.request({ type: 'close' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  private request(r: CarrierRequest): void {
    this.child.send(r);
  }
}

function next(child: ChildProcess, match: (m: CarrierMessage) => boolean, timeoutMs: number): Promise<CarrierMessage> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error('timed out waiting for the carrier simulator')), timeoutMs);
    const onMessage = (m: CarrierMessage) => {
      if (m.type === 'error') done(new Error(`carrier simulator: ${m.message}`));
      else if (match(m)) done(null, m);
    };
    const onExit = (code: number | null) => done(new Error(`carrier simulator exited (${code})`));
    function done(err: Error | null, m?: CarrierMessage) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(m!);
    }
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}
