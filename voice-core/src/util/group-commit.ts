/**
 * Group commit: callers submit one item each and wait for it to be written; items submitted
 * while a write is in flight go together in the next one. Idle, an item is written at once
 * (next tick); under load, many concurrent requests share one round trip.
 *
 * One item must never fail another's write: when a batch fails, each of its items is written
 * again on its own, so only an item that fails alone is rejected (with its own error).
 */
export class GroupCommit<T, R> {
  private waiting: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private writing = false;

  constructor(
    /** Writes a batch; returns one result per item, in order. */
    private readonly write: (items: T[]) => Promise<R[]>,
    /**
     * Whether a failed batch may be the fault of one of its items (bad data) rather than of the
     * store (an outage, where writing each item again would only multiply the failures).
     */
    private readonly mayBeItemError: (err: unknown) => boolean = () => false,
    private readonly maxBatch = 500,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) setImmediate(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const batch = this.waiting.splice(0, this.maxBatch);
        try {
          const results = await this.write(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]!));
        } catch (err) {
          if (batch.length > 1 && this.mayBeItemError(err)) await this.writeEachAlone(batch);
          else for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async writeEachAlone(batch: typeof this.waiting): Promise<void> {
    for (const b of batch) {
      try {
        b.resolve((await this.write([b.item]))[0]!);
      } catch (err) {
        b.reject(err);
      }
    }
  }
}
