import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { BEAST_MODE_SKILLS, type BeastModeSnapshot } from '../domain';
import type { Stores } from '../ports';
import { beastModeScores, DEFAULT_BEAST_MODE, type BeastModeOptions } from './beast-mode';

const RECENT_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * Recomputes Beast Mode periodically, snapshots it (Postgres) and exposes
 * voice_beast_mode_score{skill}. With several replicas one of them snapshots per interval.
 */
export class BeastModeTracker {
  private readonly gauge: Gauge<'skill'>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(
    private readonly deps: { stores: Stores; registry: Registry; logger: Logger },
    private readonly options: BeastModeOptions & { intervalMs: number } = { ...DEFAULT_BEAST_MODE, intervalMs: 60_000 },
  ) {
    this.gauge =
      (deps.registry.getSingleMetric('voice_beast_mode_score') as Gauge<'skill'> | undefined) ??
      new Gauge({
        name: 'voice_beast_mode_score',
        help: 'Beast Mode score per skill and overall, 0–100 (see docs: formula)',
        labelNames: ['skill'],
        registers: [deps.registry],
      });
  }

  start(): void {
    const tick = () => {
      this.running ??= this.snapshotOnce()
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'beast mode snapshot failed'))
        .finally(() => (this.running = null));
    };
    this.timer ??= setInterval(tick, this.options.intervalMs);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Computes the scores now; updates the gauge. */
  async compute(now = Date.now()): Promise<BeastModeSnapshot> {
    const { stores } = this.deps;
    const [graph, recent] = await Promise.all([
      stores.graph.snapshot(),
      stores.calls.listCalls({
        from: new Date(now - RECENT_WINDOW_MS).toISOString(),
        to: new Date(now + 60_000).toISOString(),
        limit: this.options.recentCalls * 3,
      }),
    ]);
    const scores = beastModeScores(graph, recent, this.options);
    for (const skill of BEAST_MODE_SKILLS) this.gauge.set({ skill }, scores[skill]);
    // Every answered human call says exactly one opening line: its trials count the calls learned from.
    const callsLearned = graph.arms.filter((a) => a.objectionId === 'opening').reduce((n, a) => n + a.trials, 0);
    return { takenAt: new Date(now).toISOString(), scores, callsLearned };
  }

  /** Computes and stores a snapshot, unless another replica already did for this interval. */
  async snapshotOnce(now = Date.now()): Promise<BeastModeSnapshot | null> {
    const snapshot = await this.compute(now);
    const slot = Math.floor(now / this.options.intervalMs);
    if (
      !(await this.deps.stores.state.claimOnce(`beast-mode:${slot}`, Math.ceil(this.options.intervalMs / 1000) * 2))
    ) {
      return null;
    }
    await this.deps.stores.calls.saveBeastModeSnapshot(snapshot);
    return snapshot;
  }
}
