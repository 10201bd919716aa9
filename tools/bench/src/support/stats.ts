/** Small statistics helpers beside voice-core's percentiles: a least-squares slope, rounding, ratios. */
export { percentile, percentiles, type Percentiles } from '@mwva/voice-core';

/** Least-squares slope of y over x (units of y per unit of x); 0 with fewer than 2 points. */
export function slope(points: ReadonlyArray<{ x: number; y: number }>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** ratio a/b rounded, or null when b is 0. */
export function ratio(a: number, b: number, digits = 3): number | null {
  return b > 0 ? round(a / b, digits) : null;
}
