/**
 * A process-wide wall clock that reads an earlier time and runs faster, as libfaketime does for a
 * whole process: `Date.now()` and `new Date()` everywhere (engine, stores, simulator, webhook
 * signatures and their check) agree on it, so `voice-agent demo` runs real calls through the real
 * engine "in the past". Timers (setTimeout) and performance.now() keep real time.
 *
 * Only the demo command installs it, in its own process, before anything reads the time.
 */
export interface ShiftedClock {
  /** Jumps to `ms` (epoch); only forward, so nothing that stamped a time sees it go back. */
  jumpTo(ms: number): void;
  now(): number;
  /** Puts the real Date back. */
  restore(): void;
}

export function installShiftedClock(startMs: number, speed: number): ShiftedClock {
  const RealDate = Date;
  let baseVirtual = startMs;
  let baseReal = RealDate.now();
  const now = () => Math.floor(baseVirtual + (RealDate.now() - baseReal) * speed);

  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(now());
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return now();
    }
    // Dates made before the clock was installed are still Dates.
    static override [Symbol.hasInstance](value: unknown): boolean {
      return value instanceof RealDate;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;

  return {
    now,
    jumpTo(ms: number) {
      if (ms < now()) return;
      baseVirtual = ms;
      baseReal = RealDate.now();
    },
    restore() {
      globalThis.Date = RealDate;
    },
  };
}
