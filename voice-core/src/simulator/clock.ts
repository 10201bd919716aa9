/**
 * Simulated time: every simulated duration is in simulated ms, and real ms = simulated ms × timeScale.
 * Timers and waits belong to a TimerGroup (one per call, plus a shared one) so that a call's end
 * cancels its own and close() cancels all of them at once.
 */

/** Rejects a pending wait whose group was cancelled: its call ended or the simulator closed. */
export class WaitCancelled extends Error {
  constructor() {
    super('wait cancelled: the call ended or the simulator closed');
  }
}

/** Wall-clock timestamp (occurred_at and the records' times are never scaled). */
export function isoTime(ms = Date.now()): string {
  return new Date(ms).toISOString();
}

interface Waiter {
  predicate: () => boolean;
  resolve: (satisfied: boolean) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | null;
}

const never = (): boolean => false;

/** The timers and waits of one owner, cleared together by cancel(). */
export class TimerGroup {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<Waiter>();
  private isCancelled = false;

  constructor(
    private readonly toRealMs: (simMs: number) => number,
    private readonly onCancel: (group: TimerGroup) => void = () => undefined,
  ) {}

  get cancelled(): boolean {
    return this.isCancelled;
  }

  /** Runs `fn` after `simMs`; does nothing once the group is cancelled. */
  later(fn: () => void, simMs: number): void {
    if (this.isCancelled) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, this.toRealMs(simMs));
    this.timers.add(t);
  }

  /**
   * Resolves true when `predicate` holds (checked now and on every notify()), false after
   * `simTimeoutMs`; rejects with WaitCancelled when the group is (or gets) cancelled.
   */
  waitUntil(predicate: () => boolean, simTimeoutMs: number): Promise<boolean> {
    if (this.isCancelled) return Promise.reject(new WaitCancelled());
    if (predicate()) return Promise.resolve(true);
    return new Promise<boolean>((resolve, reject) => {
      const waiter: Waiter = { predicate, resolve, reject, timer: null };
      if (Number.isFinite(simTimeoutMs)) {
        waiter.timer = setTimeout(() => {
          this.waiters.delete(waiter);
          resolve(false);
        }, this.toRealMs(simTimeoutMs));
      }
      this.waiters.add(waiter);
    });
  }

  /** Resolves (false, like a wait that timed out) after `simMs`; rejects early when cancelled. */
  sleep(simMs: number): Promise<boolean> {
    return this.waitUntil(never, simMs);
  }

  /** Resolves the waits whose predicate now holds: call it after any change a predicate may read. */
  notify(): void {
    for (const w of [...this.waiters]) {
      if (w.predicate()) {
        this.waiters.delete(w);
        if (w.timer) clearTimeout(w.timer);
        w.resolve(true);
      }
    }
  }

  /** Clears every timer and rejects every pending wait; later() and waitUntil() do nothing after it. */
  cancel(): void {
    if (this.isCancelled) return;
    this.isCancelled = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const w of this.waiters) {
      if (w.timer) clearTimeout(w.timer);
      w.reject(new WaitCancelled());
    }
    this.waiters.clear();
    this.onCancel(this);
  }
}

export class SimClock {
  readonly timeScale: number;
  /** Timers that outlive a call's own (its call.cost follows the hangup that cancelled them). */
  readonly shared: TimerGroup;
  private readonly live = new Set<TimerGroup>();
  private isClosed = false;

  /** `timeScale`: 1 = real time; 0.01 = 100× faster. */
  constructor(timeScale = 1) {
    if (!(timeScale >= 0)) throw new Error('timeScale must be >= 0');
    this.timeScale = timeScale;
    this.shared = this.newGroup();
  }

  get closed(): boolean {
    return this.isClosed;
  }

  toRealMs(simMs: number): number {
    return Math.max(0, simMs * this.timeScale);
  }

  /**
   * Simulated seconds between two performance.now() marks (a timeScale of 0 counts as a tiny one).
   * Not wall-clock times: `voice-agent demo` runs the wall clock shifted and fast, which would
   * stretch every duration a second time.
   */
  simSecondsBetween(fromRealMs: number, toRealMs: number): number {
    return (toRealMs - fromRealMs) / Math.max(this.timeScale, 1e-9) / 1000;
  }

  /** A new group of timers; already cancelled when the clock is closed. */
  newGroup(): TimerGroup {
    const group = new TimerGroup(
      (simMs) => this.toRealMs(simMs),
      (g) => this.live.delete(g),
    );
    if (this.isClosed) group.cancel();
    else this.live.add(group);
    return group;
  }

  /** Stops simulated time for good: clears every timer and wakes every wait (rejected). */
  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const group of [...this.live]) group.cancel();
  }
}
