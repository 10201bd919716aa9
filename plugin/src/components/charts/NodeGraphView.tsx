import React from 'react';
import { css } from '@emotion/css';
import type { DataFrame } from '@grafana/data';
import { BRAND } from '../brand/brand';
import { rows } from '../../api/frames';
import { humanize } from '../format';

/**
 * An answer's name without its decision point: "price-roi" under "price" → "ROI". The answer's
 * line is the node's tooltip.
 */
function answerLabel(pointId: string, title: string): string {
  const prefix = `${pointId.replace(/_/g, '-')}-`;
  return humanize(title.startsWith(prefix) ? title.slice(prefix.length) : title);
}

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
  // Each decision point sits level with its answers, which are listed together in its order:
  // edges stay short and the page no taller than the answers need.
  const rowH = 34;
  const gap = 14;
  const W = 900;
  const colX = [150, W - 330];
  const pos = new Map<string, { x: number; y: number }>();
  const answerTitle = new Map<string, string>();
  let y = 10;
  for (const point of nodes.filter((n) => n.column === 0)) {
    const answers = edges.filter((e) => e.source === point.id).map((e) => e.target);
    const first = y;
    for (const id of answers) {
      pos.set(id, { x: colX[1]!, y: y + rowH / 2 });
      y += rowH;
    }
    pos.set(point.id, { x: colX[0]!, y: answers.length ? (first + y) / 2 : y + rowH / 2 });
    if (!answers.length) {
      y += rowH;
    }
    y += gap;
    for (const id of answers) {
      answerTitle.set(id, answerLabel(point.id, nodes.find((n) => n.id === id)?.title ?? id));
    }
  }
  const height = y;
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
        const mx = (a.x + 120 + b.x) / 2;
        return (
          <path
            key={i}
            d={`M${a.x + 120},${a.y} C${mx},${a.y} ${mx},${b.y} ${b.x - 10},${b.y}`}
            fill="none"
            stroke={BRAND.blue}
            strokeOpacity={0.55}
            strokeWidth={1.5}
          >
            <title>{`win rate ${label(e.stat)}`}</title>
          </path>
        );
      })}
      {nodes
        .filter((n) => pos.has(n.id))
        .map((n) => {
          const p = pos.get(n.id)!;
          const x = n.column === 0 ? p.x - 130 : p.x - 10;
          const width = n.column === 0 ? 250 : 320;
          const title = n.column === 0 ? n.title : (answerTitle.get(n.id) ?? n.title);
          return (
            <g key={n.id}>
              <title>{n.subTitle && n.column ? n.subTitle : title}</title>
              <rect
                x={x}
                y={p.y - 14}
                width={width}
                height={28}
                rx={14}
                fill={BRAND.surfaceRaised}
                stroke={n.column ? BRAND.gold : BRAND.blue}
              />
              <text x={x + 14} y={p.y + 4} fill={BRAND.text} fontSize="12">
                {title.length > 40 ? `${title.slice(0, 39)}…` : title}
              </text>
              <text x={x + width - 14} y={p.y + 4} fill={BRAND.muted} fontSize="11" textAnchor="end">
                {label(n.mainStat)}
              </text>
            </g>
          );
        })}
    </svg>
  );
}
