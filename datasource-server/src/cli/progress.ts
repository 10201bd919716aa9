import { InvalidArgumentError } from 'commander';
/** One updating progress line on stderr (stdout stays clean for --json). */
export function progressLine(label: string): {
  update(done: number, total: number, extra?: string): void;
  done(): void;
} {
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(done, total, extra = '') {
      const now = Date.now();
      if (tty && now - last < 100 && done < total) return;
      if (!tty && now - last < 2000 && done < total) return;
      last = now;
      const pct = total === 0 ? 100 : Math.floor((100 * done) / total);
      const width = 30;
      const filled = Math.round((width * pct) / 100);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
      const line = `${label} ${bar} ${done}/${total} (${pct}%) ${extra}`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
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
