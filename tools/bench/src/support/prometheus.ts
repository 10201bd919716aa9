/** Reads a few values out of a replica's /metrics (Prometheus text format). */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

export async function scrape(baseUrl: string): Promise<Sample[]> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${baseUrl}/metrics: HTTP ${res.status}`);
  return parsePrometheus(await res.text());
}

/** Sum of every sample of a metric whose labels include `match`. */
export function sumOf(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((n, s) => n + s.value, 0);
}

export interface HistogramData {
  /** upper bounds (s) with cumulative counts, +Inf last */
  buckets: Array<{ le: number; count: number }>;
  count: number;
  sum: number;
}

/** Adds up one histogram over every label set (e.g. all event types, all replicas). */
export function histogram(sampleSets: Sample[][], name: string, match: Record<string, string> = {}): HistogramData {
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  for (const samples of sampleSets) {
    for (const s of samples) {
      if (!Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
      if (s.name === `${name}_bucket`) {
        const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
        byLe.set(le, (byLe.get(le) ?? 0) + s.value);
      } else if (s.name === `${name}_count`) count += s.value;
      else if (s.name === `${name}_sum`) sum += s.value;
    }
  }
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c })).sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/** Difference of two scrapes of the same histogram (the window between them). */
export function histogramDelta(after: HistogramData, before: HistogramData): HistogramData {
  const prev = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** Quantile (in ms) by linear interpolation within the bucket, as PromQL's histogram_quantile. */
export function quantileMs(h: HistogramData, q: number): number | null {
  if (h.count <= 0) return null;
  const target = q * h.count;
  let lower = 0;
  let below = 0;
  for (const b of h.buckets) {
    if (b.count >= target) {
      if (b.le === Infinity) return Math.round(lower * 1000 * 10) / 10;
      const inBucket = Math.max(1e-9, b.count - below);
      return Math.round((lower + ((b.le - lower) * (target - below)) / inBucket) * 10000) / 10;
    }
    lower = b.le;
    below = b.count;
  }
  return Math.round(lower * 10000) / 10;
}
