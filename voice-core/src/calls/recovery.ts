import type { Logger } from 'pino';
import type { InboxEvent } from '../domain';
import type { Stores } from '../ports';
import type { CallEngine } from './engine';

export interface RecoveryOptions {
  intervalMs?: number;
  /** An event stored this long ago and still unapplied is applied again. */
  unappliedAfterMs?: number;
  /** A call ended this long ago and still not counted is finalized (its cost may never come). */
  finalizeAfterMs?: number;
  /** Events fetched per page; a sweep pages on until `maxEventsPerSweep` (and resumes there next time). */
  pageSize?: number;
  maxEventsPerSweep?: number;
  /** Failed attempts after which an event is set aside as a dead letter (the sweep stops retrying it). */
  deadLetterAfterAttempts?: number;
  /**
   * Events re-applied at once (each call's own events still in inbox order: the engine queues
   * them per call). One at a time, a backlog of thousands took minutes and starved newer events.
   */
  concurrency?: number;
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
  /** Inbox position the next sweep continues from, so a backlog of strays never hides newer events. */
  private cursor = 0;
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
      pageSize: options.pageSize ?? 500,
      maxEventsPerSweep: options.maxEventsPerSweep ?? 2000,
      deadLetterAfterAttempts: options.deadLetterAfterAttempts ?? 10,
      concurrency: options.concurrency ?? 8,
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
    const { reapplied, deadLettered } = await this.reapplyUnapplied(now);
    const calls = await stores.calls.listUnfinalizedCalls(
      new Date(now - this.options.finalizeAfterMs).toISOString(),
      500,
    );
    let finalized = 0;
    for (const call of calls) {
      if (this.stopping) break;
      // Long after the end: whatever is still pending will not change the outcome any more.
      await engine.finalize(call.id, { force: true });
      finalized += 1;
    }
    const released = this.stopping ? 0 : await this.releaseSlotsOfFinalizedCalls();
    let purged = 0;
    if (!this.stopping && now - this.lastPurgeAt >= this.options.purgeEveryMs) {
      this.lastPurgeAt = now;
      purged = await stores.transcripts.purgeExpiredWebhooks(new Date(now).toISOString());
    }
    if (reapplied + finalized + released + deadLettered > 0) {
      this.deps.logger.info({ reapplied, finalized, released, deadLettered }, 'recovery sweep caught up');
    }
    return { reapplied, finalized, released, purged, deadLettered };
  }

  /**
   * Pages through unapplied events in inbox order from where the last sweep stopped, so every
   * one of them is visited within a few sweeps however many strays there are. An event that
   * fails `deadLetterAfterAttempts` times is set aside as a dead letter.
   */
  private async reapplyUnapplied(now: number): Promise<{ reapplied: number; deadLettered: number }> {
    const before = new Date(now - this.options.unappliedAfterMs).toISOString();
    let reapplied = 0;
    let deadLettered = 0;
    while (reapplied < this.options.maxEventsPerSweep && !this.stopping) {
      const limit = Math.min(this.options.pageSize, this.options.maxEventsPerSweep - reapplied);
      const page = await this.deps.stores.calls.listUnappliedEvents({ before, afterSeq: this.cursor, limit });
      const inFlight = new Set<Promise<void>>();
      let failure: unknown = null;
      for (const event of page) {
        if (this.stopping || failure !== null) break; // what is left stays in the inbox for the next sweep
        this.cursor = event.seq;
        reapplied += 1;
        // Started in inbox order: the engine queues each call's events in the order they arrive.
        const task: Promise<void> = this.reapplyOne(event)
          .then((dead) => {
            if (dead) deadLettered += 1;
          })
          .catch((err: unknown) => {
            failure ??= err; // the sweep fails as a whole once the started events have settled
          })
          .finally(() => inFlight.delete(task));
        inFlight.add(task);
        if (inFlight.size >= this.options.concurrency) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      if (failure !== null) throw failure;
      if (page.length < limit) {
        this.cursor = 0; // reached the end: the next sweep starts from the oldest again
        break;
      }
    }
    return { reapplied, deadLettered };
  }

  /** Applies one stored event again; true when it was set aside as a dead letter. */
  private async reapplyOne(event: InboxEvent): Promise<boolean> {
    const { stores, engine, logger } = this.deps;
    const result = await engine.reapply(event);
    if (result.status !== 'deferred' && result.status !== 'failed') return false;
    const attempts = await stores.calls.recordApplyFailure(event.id, result.error);
    if (attempts < this.options.deadLetterAfterAttempts) return false;
    await stores.calls.moveToDeadLetters(event.id, `not applied after ${attempts} attempts: ${result.error}`);
    logger.error({ eventId: event.id, callId: event.callId, type: event.type, attempts }, 'event dead-lettered');
    return true;
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
  /** events set aside after their last failed attempt */
  deadLettered: number;
}

/** Call ids per rollup lookup: one round trip covers the whole active set at CALL_CAPACITY 1000. */
const RELEASE_BATCH = 1000;
