import type { Logger } from 'pino';
import type { Stores } from '../ports';
import type { CallEngine } from './engine';

export interface RecoveryOptions {
  intervalMs?: number;
  /** An event stored this long ago and still unapplied is applied again. */
  unappliedAfterMs?: number;
  /** A call ended this long ago and still not counted is finalized (its cost may never come). */
  finalizeAfterMs?: number;
  /**
   * How often expired raw webhook bodies are purged. They live for days, so there is no hurry,
   * and on a document store without a usable index (FerretDB on SQLite) every purge scans the
   * whole collection: every 5 s on three replicas, that scan took a core of the test machine.
   */
  purgeEveryMs?: number;
}

/**
 * The safety net that makes "acknowledged" mean "will be applied": any replica re-applies
 * stored events nobody applied (a crash between acknowledgement and application),
 * finalizes ended calls nobody finalized, and frees capacity slots that finalized calls
 * still hold (the call-state store failed between the rollup and the release).
 */
export class RecoverySweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  /** Set by stop(): a sweep in progress ends after the event or call in hand (shutdown stays bounded). */
  private stopping = false;
  private lastPurgeAt = Number.NEGATIVE_INFINITY;
  private readonly options: Required<RecoveryOptions>;

  constructor(
    private readonly deps: { stores: Stores; engine: CallEngine; logger: Logger },
    options: RecoveryOptions = {},
  ) {
    this.options = {
      intervalMs: options.intervalMs ?? 5000,
      unappliedAfterMs: options.unappliedAfterMs ?? 15_000,
      finalizeAfterMs: options.finalizeAfterMs ?? 60_000,
      purgeEveryMs: options.purgeEveryMs ?? 10 * 60_000,
    };
  }

  start(): void {
    this.stopping = false;
    this.timer ??= setInterval(() => {
      this.running ??= this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.deps.logger.warn({ err }, 'recovery sweep failed'))
        .finally(() => (this.running = null));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass; returns what it did. */
  async sweep(now = Date.now()): Promise<SweepResult> {
    const { stores, engine } = this.deps;
    const events = await stores.calls.listUnappliedEvents(
      new Date(now - this.options.unappliedAfterMs).toISOString(),
      500,
    );
    let reapplied = 0;
    for (const event of events) {
      if (this.stopping) break; // what is left stays in the inbox for the next sweep, anywhere
      await engine.reapply(event);
      reapplied += 1;
    }
    const calls = await stores.calls.listUnfinalizedCalls(
      new Date(now - this.options.finalizeAfterMs).toISOString(),
      500,
    );
    let finalized = 0;
    for (const call of calls) {
      if (this.stopping) break;
      await engine.finalize(call.id);
      finalized += 1;
    }
    const released = this.stopping ? 0 : await this.releaseSlotsOfFinalizedCalls();
    let purged = 0;
    if (!this.stopping && now - this.lastPurgeAt >= this.options.purgeEveryMs) {
      this.lastPurgeAt = now;
      purged = await stores.transcripts.purgeExpiredWebhooks(new Date(now).toISOString());
    }
    if (reapplied + finalized + released > 0) {
      this.deps.logger.info({ reapplied, finalized, released }, 'recovery sweep caught up');
    }
    return { reapplied, finalized, released, purged };
  }

  /** Without this a leaked slot would lower the dialer's capacity until Redis is flushed. */
  private async releaseSlotsOfFinalizedCalls(): Promise<number> {
    const { stores } = this.deps;
    const active = await stores.state.listActive();
    let released = 0;
    for (let i = 0; i < active.length && !this.stopping; i += RELEASE_BATCH) {
      for (const callId of await stores.calls.listRolledUp(active.slice(i, i + RELEASE_BATCH))) {
        await stores.state.markInactive(callId);
        released += 1;
      }
    }
    return released;
  }
}

export interface SweepResult {
  reapplied: number;
  finalized: number;
  /** capacity slots freed because their call was already finalized */
  released: number;
  purged: number;
}

/** Call ids per rollup lookup: one round trip covers the whole active set at CALL_CAPACITY 1000. */
const RELEASE_BATCH = 1000;
