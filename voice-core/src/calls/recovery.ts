import type { Logger } from 'pino';
import type { Stores } from '../ports';
import type { CallEngine } from './engine';

export interface RecoveryOptions {
  intervalMs?: number;
  /** An event stored this long ago and still unapplied is applied again. */
  unappliedAfterMs?: number;
  /** A call ended this long ago and still not counted is finalized (its cost may never come). */
  finalizeAfterMs?: number;
}

/**
 * The safety net that makes "acknowledged" mean "will be applied": any replica re-applies
 * stored events nobody applied (a crash between acknowledgement and application) and
 * finalizes ended calls nobody finalized.
 */
export class RecoverySweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly options: Required<RecoveryOptions>;

  constructor(
    private readonly deps: { stores: Stores; engine: CallEngine; logger: Logger },
    options: RecoveryOptions = {},
  ) {
    this.options = {
      intervalMs: options.intervalMs ?? 5000,
      unappliedAfterMs: options.unappliedAfterMs ?? 15_000,
      finalizeAfterMs: options.finalizeAfterMs ?? 60_000,
    };
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'recovery sweep failed'))
        .finally(() => (this.running = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns what it did. */
  async sweep(now = Date.now()): Promise<{ reapplied: number; finalized: number; purged: number }> {
    const { stores, engine } = this.deps;
    const events = await stores.calls.listUnappliedEvents(
      new Date(now - this.options.unappliedAfterMs).toISOString(),
      500,
    );
    for (const event of events) await engine.reapply(event);
    const calls = await stores.calls.listUnfinalizedCalls(
      new Date(now - this.options.finalizeAfterMs).toISOString(),
      500,
    );
    for (const call of calls) await engine.finalize(call.id);
    const purged = await stores.transcripts.purgeExpiredWebhooks(new Date(now).toISOString());
    if (events.length + calls.length > 0) {
      this.deps.logger.info({ reapplied: events.length, finalized: calls.length }, 'recovery sweep caught up');
    }
    return { reapplied: events.length, finalized: calls.length, purged };
  }
}
