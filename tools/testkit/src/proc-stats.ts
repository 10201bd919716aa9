import { readFileSync } from 'node:fs';

const CLK_TCK = 100; // Linux USER_HZ; /proc/PID/stat times are in these ticks

/** RSS (bytes) and total CPU time (s) of a process, from /proc (null once it is gone). */
export function procSample(pid: number): { rssBytes: number; cpuSeconds: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name "(…)": state is field 3; utime 14, stime 15, rss 24 (pages).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(rest[11]);
    const stime = Number(rest[12]);
    const rssPages = Number(rest[21]);
    return { rssBytes: rssPages * 4096, cpuSeconds: (utime + stime) / CLK_TCK };
  } catch {
    return null;
  }
}

/** Samples processes every intervalMs: peak/last RSS and CPU use (cores) over the window. */
export class ProcMonitor {
  private readonly timer: NodeJS.Timeout;
  private readonly first = new Map<number, { at: number; cpu: number }>();
  private readonly last = new Map<number, { at: number; cpu: number; rss: number }>();
  private readonly peak = new Map<number, number>();
  readonly series: Array<{ t: number; pid: number; rssMb: number }> = [];

  constructor(
    private readonly pids: () => number[],
    intervalMs = 1000,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    const now = performance.now();
    for (const pid of this.pids()) {
      const s = procSample(pid);
      if (!s) continue;
      if (!this.first.has(pid)) this.first.set(pid, { at: now, cpu: s.cpuSeconds });
      this.last.set(pid, { at: now, cpu: s.cpuSeconds, rss: s.rssBytes });
      this.peak.set(pid, Math.max(this.peak.get(pid) ?? 0, s.rssBytes));
      this.series.push({ t: Date.now(), pid, rssMb: Math.round(s.rssBytes / 1048576) });
    }
  }

  stop(): Array<{ pid: number; peakRssMb: number; lastRssMb: number; cpuCores: number }> {
    clearInterval(this.timer);
    this.sample();
    return [...this.last].map(([pid, l]) => {
      const f = this.first.get(pid)!;
      const secs = (l.at - f.at) / 1000;
      return {
        pid,
        peakRssMb: Math.round((this.peak.get(pid) ?? 0) / 1048576),
        lastRssMb: Math.round(l.rss / 1048576),
        cpuCores: secs > 0 ? Math.round(((l.cpu - f.cpu) / secs) * 100) / 100 : 0,
      };
    });
  }
}
