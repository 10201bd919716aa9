/**
 * Collects items and writes them in batches — after `maxDelayMs`, or at once when `maxItems`
 * are waiting — so a write per event becomes a write per batch on the hot path.
 * A failed batch is reported to `onError` and dropped: only use it for writes that are
 * safe to lose (they are redone or rebuilt elsewhere).
 */
export class Batcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly onError: (err: unknown, items: T[]) => void,
    private readonly maxItems = 500,
    private readonly maxDelayMs = 50,
  ) {}

  add(item: T): void {
    this.items.push(item);
    if (this.items.length >= this.maxItems) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), this.maxDelayMs);
  }

  /** Writes what is waiting; resolves when every batch so far has been written. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const batch = this.items;
    this.items = [];
    if (batch.length > 0) {
      // Batches are written one after another, in order.
      this.inFlight = this.inFlight.then(() => this.write(batch).catch((err: unknown) => this.onError(err, batch)));
    }
    return this.inFlight;
  }

  get pending(): number {
    return this.items.length;
  }
}
