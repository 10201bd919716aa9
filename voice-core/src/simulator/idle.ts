import type { CallRegistry } from './call-registry';
import type { WebhookDispatcher } from './delivery';

/** How often waitForIdle looks again, in real ms. */
const POLL_MS = 10;
/** Calls named in a not-idle error, at most. */
const MAX_STUCK_REPORTED = 20;

/**
 * waitForIdle(): every call has settled (call.cost emitted) and every webhook is delivered or
 * given up. Polls in real time, because idleness depends on the receiver as much as on the calls.
 */
export class IdleWatch {
  private readonly polls = new Set<NodeJS.Timeout>();

  constructor(
    private readonly calls: CallRegistry,
    private readonly dispatcher: WebhookDispatcher,
  ) {}

  isIdle(): boolean {
    const all = this.calls.all();
    for (const c of all) if (!c.settled) return false;
    return this.dispatcher.idle(all.map((c) => c.queue));
  }

  /** Resolves once idle; rejects after `timeoutMs` naming the calls still busy. */
  wait(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (this.isIdle()) return resolve();
        if (Date.now() >= deadline) return reject(this.notIdleError(timeoutMs));
        const t = setTimeout(() => {
          this.polls.delete(t);
          check();
        }, POLL_MS);
        this.polls.add(t);
      };
      check();
    });
  }

  /** close(): stops the polls in progress, so the waits they serve never settle. */
  stop(): void {
    for (const t of this.polls) clearTimeout(t);
    this.polls.clear();
  }

  private notIdleError(timeoutMs: number): Error {
    const stuck = this.calls
      .all()
      .filter((c) => !c.settled || c.queue.items.length > 0 || c.queue.running)
      .slice(0, MAX_STUCK_REPORTED)
      .map(
        (c) =>
          `${c.id} (${c.direction}, ${c.phase}, last event ${c.record.webhooks.at(-1)?.eventType ?? 'none'}, queued ${c.queue.items.length})`,
      );
    return new Error(
      `simulator not idle after ${timeoutMs} ms: ${stuck.length} stuck call(s)${stuck.length ? ': ' + stuck.join('; ') : ''}; ${this.dispatcher.inFlight()} delivery task(s) in flight`,
    );
  }
}
