import React, { useId } from 'react';
import { css } from '@emotion/css';
import type { DataFrame } from '@grafana/data';
import { BRAND } from '../brand/brand';
import { numberFields, seriesName, timeField } from '../../api/frames';
import { humanize } from '../format';

interface Props {
  frames: DataFrame[];
  height?: number;
  /** Formats a y value for the axis and legend. */
  format?: (v: number) => string;
  /** A horizontal reference line, e.g. the expert bar. */
  reference?: { value: number; label: string };
  yMax?: number;
  testId?: string;
}

interface Series {
  name: string;
  points: Array<[number, number]>;
}

const W = 800;
const PAD = { left: 48, right: 12, top: 12, bottom: 24 };

function toSeries(frames: DataFrame[]): Series[] {
  const out: Series[] = [];
  for (const frame of frames) {
    const t = timeField(frame);
    if (!t) {
      continue;
    }
    for (const f of numberFields(frame)) {
      const points: Array<[number, number]> = [];
      f.values.forEach((v, i) => {
        const x = t.values[i];
        if (typeof v === 'number' && Number.isFinite(v) && typeof x === 'number') {
          points.push([x, v]);
        }
      });
      out.push({ name: humanize(seriesName(frame, f)), points });
    }
  }
  return out;
}

/** Each series its own colour of the brand palette, so that none hides another. */
const colour = (i: number) => BRAND.palette[i % BRAND.palette.length]!;

/** Axis times: the hour within a day, the weekday within a week, the date beyond. */
function axisTime(spanMs: number): (ms: number) => string {
  const options: Intl.DateTimeFormatOptions =
    spanMs > 7 * 86_400_000
      ? { month: 'short', day: 'numeric' }
      : spanMs > 12 * 3_600_000
        ? { weekday: 'short', hour: '2-digit', minute: '2-digit' }
        : { hour: '2-digit', minute: '2-digit' };
  return (ms) => new Date(ms).toLocaleString([], options);
}

/** A light SVG line chart in the brand's colours (the first series with an area under it). */
export function TimeSeriesChart({
  frames,
  height = 220,
  format = (v) => v.toFixed(0),
  reference,
  yMax,
  testId,
}: Props) {
  const gradientId = useId().replace(/:/g, '');
  const series = toSeries(frames);
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) {
    return (
      <div className={css({ height, display: 'grid', placeItems: 'center', color: BRAND.muted })} data-testid={testId}>
        No data in this range yet
      </div>
    );
  }
  const xs = all.map((p) => p[0]);
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs, x0 + 1);
  const top = yMax ?? Math.max(...all.map((p) => p[1]), reference?.value ?? 0, 1) * 1.1;
  const sx = (x: number) => PAD.left + ((x - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const sy = (y: number) => PAD.top + (1 - y / top) * (height - PAD.top - PAD.bottom);
  const ticks = [0, top / 2, top];
  const time = axisTime(x1 - x0);

  return (
    <div data-testid={testId}>
      <svg viewBox={`0 0 ${W} ${height}`} width="100%" height={height} preserveAspectRatio="none" role="img">
        <defs>
          <linearGradient id={`${gradientId}-fill`} x1="0" y1="0" x2="0" y2="1">
            <stop offset="0" stopColor={BRAND.blue} stopOpacity="0.35" />
            <stop offset="1" stopColor={BRAND.blue} stopOpacity="0" />
          </linearGradient>
        </defs>
        {ticks.map((t) => (
          <g key={t}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} stroke={BRAND.border} />
            <text x={PAD.left - 6} y={sy(t) + 4} fill={BRAND.muted} fontSize="11" textAnchor="end">
              {format(t)}
            </text>
          </g>
        ))}
        <text x={PAD.left} y={height - 6} fill={BRAND.muted} fontSize="11">
          {time(x0)}
        </text>
        <text x={(PAD.left + W - PAD.right) / 2} y={height - 6} fill={BRAND.muted} fontSize="11" textAnchor="middle">
          {time((x0 + x1) / 2)}
        </text>
        <text x={W - PAD.right} y={height - 6} fill={BRAND.muted} fontSize="11" textAnchor="end">
          {time(x1)}
        </text>
        {series.map((s, i) => {
          const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
          const first = s.points[0];
          const last = s.points[s.points.length - 1];
          return (
            <g key={s.name + i}>
              {i === 0 && first && last && (
                <path d={`${d}L${sx(last[0])},${sy(0)}L${sx(first[0])},${sy(0)}Z`} fill={`url(#${gradientId}-fill)`} />
              )}
              {s.points.length <= 3 &&
                s.points.map((p) => <circle key={p[0]} cx={sx(p[0])} cy={sy(p[1])} r={4} fill={colour(i)} />)}
              <path d={d} fill="none" stroke={colour(i)} strokeWidth={2} vectorEffect="non-scaling-stroke" />
            </g>
          );
        })}
        {reference && (
          <g>
            <line
              x1={PAD.left}
              x2={W - PAD.right}
              y1={sy(reference.value)}
              y2={sy(reference.value)}
              stroke={BRAND.gold}
              strokeDasharray="6 4"
            />
            <text x={W - PAD.right} y={sy(reference.value) - 6} fill={BRAND.gold} fontSize="11" textAnchor="end">
              {reference.label}
            </text>
          </g>
        )}
      </svg>
      {series.length > 1 && (
        <div className={css({ display: 'flex', gap: 16, flexWrap: 'wrap', fontSize: 12, color: BRAND.muted })}>
          {series.map((s, i) => (
            <span key={s.name + i}>
              <span
                className={css({
                  display: 'inline-block',
                  width: 10,
                  height: 10,
                  borderRadius: 2,
                  marginRight: 6,
                  background: colour(i),
                })}
              />
              {s.name}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
