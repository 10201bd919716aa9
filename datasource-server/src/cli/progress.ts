import { InvalidArgumentError } from 'commander';
/**
 * One updating progress line on stderr (stdout stays clean for --json): done/total, rate and
 * ETA on a terminal; nothing when stderr is a file or a pipe, where a redrawn line is noise.
 */
export function progressLine(label: string): {
  update(done: number, total: number, extra?: string): void;
  done(): void;
} {
  if (!process.stderr.isTTY) return { update() {}, done() {} };
  const startedAt = Date.now();
  let last = 0;
  return {
    update(done, total, extra = '') {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      process.stderr.write(`\r${formatProgress(label, done, total, now - startedAt, extra)}\x1b[K`);
    },
    done() {
      process.stderr.write('\n');
    },
  };
}

/** The progress line's text: bar, count, rate per second and time left at that rate. */
export function formatProgress(label: string, done: number, total: number, elapsedMs: number, extra = ''): string {
  const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
  const width = 30;
  const filled = Math.round((width * pct) / 100);
  const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
  const perSecond = elapsedMs > 0 ? (1000 * done) / elapsedMs : 0;
  const eta = done >= total ? 'done' : perSecond > 0 ? `ETA ${formatDuration((total - done) / perSecond)}` : 'ETA …';
  const rate = perSecond >= 10 ? perSecond.toFixed(0) : perSecond.toFixed(1);
  return `${label} ${bar} ${done}/${total} (${pct}%) ${rate}/s ${eta}${extra ? ` ${extra}` : ''}`;
}

function formatDuration(seconds: number): string {
  const s = Math.ceil(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

export function parseIntOption(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`--${name} must be a whole number from ${min} to ${max}`);
    return n;
  };
}

export function parseRateOption(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`--${name} must be a number from 0 to 1`);
    return n;
  };
}

export function parseScaleOption(name: string) {
  return (raw: string): number => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > 10)
      throw new InvalidArgumentError(`--${name} must be a number above 0, at most 10`);
    return n;
  };
}
