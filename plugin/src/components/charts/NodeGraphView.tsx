import React from 'react';
import { css } from '@emotion/css';
import type { DataFrame } from '@grafana/data';
import { BRAND } from '../brand/brand';
import { rows } from '../../api/frames';

interface Node {
  id: string;
  title: string;
  subTitle?: string;
  mainStat?: unknown;
  column: number;
}

/**
 * Draws Grafana node-graph frames (a "nodes" frame with id/title/mainstat and an "edges" frame
 * with id/source/target/mainstat) as columns: nodes nobody points to on the left, targets right.
 */
export function NodeGraphView({ frames, testId }: { frames: DataFrame[]; testId?: string }) {
  const nodesFrame = frames.find((f) => f.name === 'nodes' || f.fields.some((x) => x.name === 'title'));
  const edgesFrame = frames.find((f) => f.name === 'edges' || f.fields.some((x) => x.name === 'source'));
  const edges = rows(edgesFrame).map((e) => ({
    source: String(e.source),
    target: String(e.target),
    stat: e.mainstat ?? e.mainStat,
  }));
  const targets = new Set(edges.map((e) => e.target));
  const nodes: Node[] = rows(nodesFrame).map((n) => ({
    id: String(n.id),
    title: String(n.title ?? n.id),
    subTitle: n.subtitle !== undefined ? String(n.subtitle) : n.subTitle !== undefined ? String(n.subTitle) : undefined,
    mainStat: n.mainstat ?? n.mainStat,
    column: targets.has(String(n.id)) ? 1 : 0,
  }));
  if (nodes.length === 0) {
    return (
      <div data-testid={testId} className={css({ color: BRAND.muted, padding: 16 })}>
        The agent has not learned any objection → response pairs yet
      </div>
    );
  }
  const cols = [nodes.filter((n) => n.column === 0), nodes.filter((n) => n.column === 1)];
  const rowH = 46;
  const height = Math.max(...cols.map((c) => c.length), 1) * rowH + 20;
  const W = 900;
  const colX = [150, W - 270];
  const pos = new Map<string, { x: number; y: number }>();
  cols.forEach((col, c) => col.forEach((n, i) => pos.set(n.id, { x: colX[c]!, y: 20 + i * rowH + rowH / 2 })));
  const label = (v: unknown) =>
    typeof v === 'number' ? (v <= 1 ? `${Math.round(v * 100)}%` : String(v)) : v ? String(v) : '';

  return (
    <svg data-testid={testId} viewBox={`0 0 ${W} ${height}`} width="100%" role="img" aria-label="Learning graph">
      {edges.map((e, i) => {
        const a = pos.get(e.source);
        const b = pos.get(e.target);
        if (!a || !b) {
          return null;
        }
        const mx = (a.x + b.x) / 2;
        return (
          <g key={i}>
            <path
              d={`M${a.x + 120},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.x - 10},${b.y}`}
              fill="none"
              stroke={BRAND.blue}
              strokeOpacity={0.55}
              strokeWidth={1.5}
            />
            <text x={mx} y={(a.y + b.y) / 2 - 4} fill={BRAND.gold} fontSize="11" textAnchor="middle">
              {label(e.stat)}
            </text>
          </g>
        );
      })}
      {nodes.map((n) => {
        const p = pos.get(n.id)!;
        const x = n.column === 0 ? p.x - 130 : p.x - 10;
        return (
          <g key={n.id}>
            <rect
              x={x}
              y={p.y - 17}
              width={250}
              height={34}
              rx={17}
              fill={BRAND.surfaceRaised}
              stroke={n.column ? BRAND.gold : BRAND.blue}
            />
            <text x={x + 14} y={p.y + 4} fill={BRAND.text} fontSize="12">
              {n.title.length > 30 ? `${n.title.slice(0, 29)}…` : n.title}
            </text>
            <text x={x + 236} y={p.y + 4} fill={BRAND.muted} fontSize="11" textAnchor="end">
              {label(n.mainStat)}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
