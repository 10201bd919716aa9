import { Gauge, type Registry } from 'prom-client';
import type { Logger } from 'pino';
import { BEAST_MODE_SKILLS, type BeastModeSnapshot } from '../domain';
import type { Stores } from '../ports';
import { computeBeastMode, DEFAULT_BEAST_MODE, isBeastMode, type BeastModeOptions } from './beast-mode';

/**
 * Recomputes Beast Mode periodically, snapshots it (Postgres) and exposes
 * voice_beast_mode_score{skill} and voice_beast_mode_active. With several replicas one of them
 * snapshots per interval.
 */
export class BeastModeTracker {
  private readonly gauge: Gauge<'skill'>;
  private readonly active: Gauge;
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
    this.active =
      (deps.registry.getSingleMetric('voice_beast_mode_active') as Gauge | undefined) ??
      new Gauge({
        name: 'voice_beast_mode_active',
        help: `1 when Beast Mode is on: the overall score reached BEAST_MODE_BAR in each of the last ${this.options.sustain} snapshots`,
        registers: [deps.registry],
      });
  }

  start(): void {
    const tick = () => {
      this.running ??= this.snapshotOnce()
        .then(() => this.status())
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
    const snapshot = await computeBeastMode(this.deps.stores, this.options, now);
    for (const skill of BEAST_MODE_SKILLS) this.gauge.set({ skill }, snapshot.scores[skill]);
    return snapshot;
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

  /** Whether Beast Mode is on, from the latest snapshots (any replica's); updates the gauge. */
  async status(): Promise<boolean> {
    const on = isBeastMode(
      await this.deps.stores.analytics.latestBeastModeSnapshots(this.options.sustain),
      this.options,
    );
    this.active.set(on ? 1 : 0);
    return on;
  }
}
