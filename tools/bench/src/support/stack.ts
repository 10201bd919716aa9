import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CarrierProcess } from './carrier';
import { startNginx, type BenchNginx } from './nginx';
import { PORTS } from './paths';
import { scrape, type Sample } from './prometheus';
import {
  newSecrets,
  startReplica,
  stopReplicas,
  waitReady,
  type Replica,
  type Secrets,
  type StoreEnv,
} from './replicas';
import { onInterrupt } from './cleanup';
import { log } from './report';

export interface StackOptions {
  stores: StoreEnv;
  replicas: number;
  timeScale: number;
  /** dials/s the carrier accepts (Telnyx's default account limit: 30) */
  carrierDialRate: number;
  extraEnv?: Record<string, string>;
  nodeArgs?: (i: number) => string[];
  /** Extra node flags for the carrier process */
  carrierNodeArgs?: string[];
  /** How long a stopping replica may drain before SIGKILL (a killed process writes no profile) */
  stopGraceMs?: number;
  nginx?: boolean;
}

/** N replicas on the given stores, the simulated carrier in its own process, nginx in front. */
export class Stack {
  readonly dir = mkdtempSync(join(tmpdir(), 'mwva-bench-'));
  readonly secrets: Secrets = newSecrets();
  replicas: Replica[] = [];
  carrier!: CarrierProcess;
  nginx: BenchNginx | null = null;

  constructor(readonly options: StackOptions) {}

  /** Where clients and the carrier reach the API: nginx, or the first replica without it. */
  get url(): string {
    return this.nginx?.url ?? this.replicas[0]!.url;
  }

  private removeCleanup: (() => void) | null = null;

  /** Starts everything; if any part fails, what did start is stopped before the error is thrown. */
  async start(): Promise<this> {
    this.removeCleanup = onInterrupt(() => this.stop());
    try {
      return await this.startParts();
    } catch (err) {
      log(`stack: start failed (${(err as Error).message}); stopping what started, keeping ${this.dir}`);
      await this.stop(true).catch(() => undefined);
      throw err;
    }
  }

  private async startParts(): Promise<this> {
    const o = this.options;
    const useNginx = o.nginx !== false;
    const certFile = join(this.dir, 'nginx', 'cert.pem');
    const webhookUrl = useNginx
      ? `https://localhost:${PORTS.nginxHttps}/telnyx/webhooks`
      : `http://127.0.0.1:${PORTS.replicas[0]}/telnyx/webhooks`;
    // nginx writes its certificate before the carrier needs it; the carrier only reads
    // NODE_EXTRA_CA_CERTS at start, so nginx (and its certificate) comes first.
    if (useNginx) {
      log(`stack: nginx on :${PORTS.nginxHttps} → replicas ${PORTS.replicas.slice(0, o.replicas).join(', ')}`);
      this.nginx = await startNginx(join(this.dir, 'nginx'), PORTS.replicas.slice(0, o.replicas));
    }
    this.carrier = await CarrierProcess.start({
      port: PORTS.carrier,
      webhookUrl,
      secrets: this.secrets,
      timeScale: o.timeScale,
      dialRate: o.carrierDialRate,
      caFile: useNginx ? certFile : undefined,
      nodeArgs: o.carrierNodeArgs,
    });
    log(`stack: carrier simulator ${this.carrier.url} (pid ${this.carrier.pid}); starting ${o.replicas} replicas`);
    for (let i = 0; i < o.replicas; i++) this.startReplica(i);
    await Promise.all(this.replicas.map((r) => waitReady(r)));
    log('stack: replicas ready');
    return this;
  }

  startReplica(i: number, extraEnv: Record<string, string> = {}): Replica {
    const r = startReplica({
      dir: this.dir,
      port: PORTS.replicas[i]!,
      stores: this.options.stores,
      secrets: this.secrets,
      carrierUrl: this.carrier.url,
      extraEnv: { ...this.options.extraEnv, ...extraEnv },
      nodeArgs: this.options.nodeArgs?.(i),
    });
    this.replicas[i] = r;
    return r;
  }

  scrapeOne(url: string): Promise<Sample[]> {
    return scrape(url).catch(() => []);
  }

  /** /metrics of every running replica */
  async scrapeAll(): Promise<Sample[][]> {
    const out: Sample[][] = [];
    for (const r of this.replicas) {
      if (r.proc.child.exitCode !== null || r.proc.child.signalCode !== null) continue;
      out.push(
        await scrape(r.url).catch((err: Error) => {
          log(`stack: could not scrape ${r.url}/metrics: ${err.message}`);
          return [];
        }),
      );
    }
    return out;
  }

  /** Warnings and errors the replicas logged (pino JSON lines), counted by message and store. */
  logSummary(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of this.replicas) {
      for (const line of r.proc.output().split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { store?: string } };
          if ((entry.level ?? 0) < 40) continue;
          const key = `${entry.msg ?? '?'}${entry.err?.store ? ` [${entry.err.store}]` : ''}`;
          counts[key] = (counts[key] ?? 0) + 1;
        } catch {
          // a line cut by the output cap
        }
      }
    }
    return counts;
  }

  pids(): number[] {
    return this.replicas.map((r) => r.proc.pid);
  }

  async stop(keepDir = false): Promise<void> {
    this.removeCleanup?.();
    await stopReplicas(this.replicas, this.options.stopGraceMs);
    await this.carrier?.close().catch(() => undefined);
    await this.nginx?.stop();
    if (keepDir) writeFileSync(join(this.dir, 'KEPT'), 'kept for inspection\n');
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
