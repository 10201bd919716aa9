/**
 * A small self-contained SVG line chart for the reports in docs/ (no service, no browser):
 * x/y axes with ticks, one polyline per series, a legend, the product's colours.
 */
export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
  /** Formats a y tick (e.g. as a percentage). */
  yFormat?: (y: number) => string;
}

export function lineChartSvg(o: LineChartOptions): string {
  const width = o.width ?? 720;
  const height = o.height ?? 380;
  const pad = { left: 64, right: 20, top: 60, bottom: 56 };
  const all = o.series.flatMap((s) => s.points);
  const xMin = Math.min(...all.map((p) => p.x));
  const xMax = Math.max(...all.map((p) => p.x));
  const yMin = o.yMin ?? Math.min(...all.map((p) => p.y));
  const yMax = o.yMax ?? Math.max(...all.map((p) => p.y));
  const sx = (x: number) => pad.left + ((x - xMin) / (xMax - xMin || 1)) * (width - pad.left - pad.right);
  const sy = (y: number) => height - pad.bottom - ((y - yMin) / (yMax - yMin || 1)) * (height - pad.top - pad.bottom);
  const fmt = o.yFormat ?? ((y: number) => String(Math.round(y * 100) / 100));
  const ticks = (min: number, max: number, n: number) =>
    Array.from({ length: n + 1 }, (_, i) => min + ((max - min) * i) / n);
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

  const grid = ticks(yMin, yMax, 5)
    .map(
      (y) =>
        `<line x1="${pad.left}" x2="${width - pad.right}" y1="${sy(y)}" y2="${sy(y)}" stroke="#1e293b"/>` +
        `<text x="${pad.left - 8}" y="${sy(y) + 4}" text-anchor="end">${esc(fmt(y))}</text>`,
    )
    .join('');
  const xTicks = ticks(xMin, xMax, 5)
    .map((x) => `<text x="${sx(x)}" y="${height - pad.bottom + 18}" text-anchor="middle">${Math.round(x)}</text>`)
    .join('');
  const lines = o.series
    .map(
      (s) =>
        `<polyline fill="none" stroke="${s.color}" stroke-width="2.5"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${s.points
          .map((p) => `${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`)
          .join(' ')}"/>`,
    )
    .join('');
  const legend = o.series
    .map(
      (s, i) =>
        `<rect x="${pad.left + i * 170}" y="${pad.top - 26}" width="14" height="4" fill="${s.color}"/>` +
        `<text x="${pad.left + 20 + i * 170}" y="${pad.top - 20}">${esc(s.name)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Poppins, Helvetica, Arial, sans-serif" font-size="12" fill="#cbd5e1">`,
    `<rect width="${width}" height="${height}" fill="#0f172a"/>`,
    `<text x="${pad.left}" y="22" font-size="15" font-weight="600" fill="#facc15">${esc(o.title)}</text>`,
    grid,
    xTicks,
    `<text x="${(pad.left + width - pad.right) / 2}" y="${height - 14}" text-anchor="middle">${esc(o.xLabel)}</text>`,
    `<text x="16" y="${(pad.top + height - pad.bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(pad.top + height - pad.bottom) / 2})">${esc(o.yLabel)}</text>`,
    lines,
    legend,
    '</svg>',
    '',
  ].join('\n');
}
