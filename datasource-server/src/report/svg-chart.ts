/**
 * The one SVG line-chart writer of the reports in docs/ (learn-eval's learning curve, the
 * benchmark charts): no service, no browser, no dependency. Axes, 1-2-5 ticks, series (a null y
 * breaks the line), vertical markers, a limit line, a legend.
 */

export interface Series {
  name: string;
  points: Array<{ x: number; y: number | null }>;
  dashed?: boolean;
  /** default: the palette, in series order */
  color?: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** vertical lines with a label (incidents) */
  markers?: Array<{ x: number; label: string }>;
  /** horizontal reference line (a bar) */
  limit?: { y: number; label: string };
  width?: number;
  height?: number;
  /** the top of the y axis (default: the data's maximum plus 8 %) */
  yMax?: number;
  /** formats a y tick, e.g. as a percentage */
  yFormat?: (y: number) => string;
}

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** 1, 2, 5 × 10^k steps giving about `count` ticks. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

export function lineChart(spec: ChartSpec): string {
  const W = spec.width ?? 760;
  const H = spec.height ?? 360;
  const pad = { l: 64, r: 16, t: 36, b: 64 };
  const all = spec.series.flatMap((s) => s.points).filter((p) => p.y !== null) as Array<{ x: number; y: number }>;
  const xs = all.map((p) => p.x).concat((spec.markers ?? []).map((m) => m.x));
  const ys = all.map((p) => p.y).concat(spec.limit ? [spec.limit.y] : []);
  const xMin = Math.min(...xs, 0);
  const xMax = Math.max(...xs, xMin + 1);
  const yMax = spec.yMax ?? Math.max(...ys, 1) * 1.08;
  const yFormat = spec.yFormat ?? String;
  const xt = niceTicks(xMin, xMax);
  const yt = niceTicks(0, yMax);
  const sx = (x: number) => pad.l + ((x - xMin) / (xMax - xMin)) * (W - pad.l - pad.r);
  const sy = (y: number) => H - pad.b - (y / (yt[yt.length - 1]! || yMax)) * (H - pad.t - pad.b);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(spec.title)}</text>`,
  ];
  for (const t of yt) {
    out.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${sy(t)}" y2="${sy(t)}" stroke="#e5e7eb"/>`);
    out.push(`<text x="${pad.l - 6}" y="${sy(t) + 4}" text-anchor="end">${esc(yFormat(t))}</text>`);
  }
  for (const t of xt) out.push(`<text x="${sx(t)}" y="${H - pad.b + 16}" text-anchor="middle">${t}</text>`);
  out.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${H - pad.b}" y2="${H - pad.b}" stroke="#111"/>`);
  out.push(`<line x1="${pad.l}" x2="${pad.l}" y1="${pad.t}" y2="${H - pad.b}" stroke="#111"/>`);
  out.push(
    `<text x="${(pad.l + W - pad.r) / 2}" y="${H - pad.b + 34}" text-anchor="middle">${esc(spec.xLabel)}</text>`,
  );
  out.push(
    `<text transform="translate(16 ${(pad.t + H - pad.b) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
  );
  if (spec.limit) {
    out.push(
      `<line x1="${pad.l}" x2="${W - pad.r}" y1="${sy(spec.limit.y)}" y2="${sy(spec.limit.y)}" stroke="#dc2626" stroke-dasharray="6 3"/>`,
    );
    out.push(
      `<text x="${W - pad.r - 4}" y="${sy(spec.limit.y) - 4}" text-anchor="end" fill="#dc2626">${esc(spec.limit.label)}</text>`,
    );
  }
  for (const m of spec.markers ?? []) {
    out.push(
      `<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${pad.t}" y2="${H - pad.b}" stroke="#6b7280" stroke-dasharray="3 3"/>`,
    );
    out.push(
      `<text transform="translate(${sx(m.x) + 3} ${pad.t + 4}) rotate(90)" fill="#374151">${esc(m.label)}</text>`,
    );
  }
  spec.series.forEach((s, i) => {
    const color = s.color ?? COLORS[i % COLORS.length]!;
    // a null y breaks the line
    const parts: string[][] = [[]];
    for (const p of s.points) {
      if (p.y === null) parts.push([]);
      else parts[parts.length - 1]!.push(`${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`);
    }
    for (const part of parts.filter((q) => q.length > 0)) {
      out.push(
        `<polyline fill="none" stroke="${color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${part.join(' ')}"/>`,
      );
      if (part.length < 30)
        for (const pt of part)
          out.push(`<circle cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="2.5" fill="${color}"/>`);
    }
    const lx = pad.l + 8 + i * 150;
    out.push(`<rect x="${lx}" y="${H - 20}" width="12" height="3" fill="${color}"/>`);
    out.push(`<text x="${lx + 16}" y="${H - 15}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
