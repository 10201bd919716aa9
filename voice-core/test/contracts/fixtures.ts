import { randomUUID } from 'node:crypto';
import { bucketOriginMs, type BucketGrid, type CallRecord, type TranscriptTurn } from '@mwva/voice-core';

/**
 * Where a scope's random moment falls (each era spans 10 M minutes, ~19 years). Tests over days
 * of aggregates (rollups, Beast Mode averages) take their own era: in the default one, the
 * minutes other tests write could land inside their window and change the sums.
 */
const ERA_START = { default: Date.UTC(2000, 0, 1), longRange: Date.UTC(1980, 0, 1) } as const;

/**
 * Every test works under its own id prefix and its own time window, so contract suites can
 * share one database (and a native server) without cleaning up between tests.
 */
export function scope(era: keyof typeof ERA_START = 'default') {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  // A random minute-aligned moment in the era, far from real data and from other tests.
  const base = ERA_START[era] + Math.floor(Math.random() * 10_000_000) * 60_000;
  return {
    id: (name: string) => `${prefix}-${name}`,
    at: (offsetSeconds: number) => new Date(base + offsetSeconds * 1000).toISOString(),
    range: (fromSeconds: number, toSeconds: number) => ({
      from: new Date(base + fromSeconds * 1000).toISOString(),
      to: new Date(base + toSeconds * 1000).toISOString(),
    }),
  };
}

export type Scope = ReturnType<typeof scope>;

export function makeCall(s: Scope, name: string, overrides: Partial<CallRecord> = {}): CallRecord {
  return {
    id: s.id(name),
    direction: 'outbound',
    status: 'ended',
    from: '+15550000001',
    to: '+15550000002',
    persona: 'cfo',
    campaign: 'q4',
    callControlId: `v3:${s.id(name)}`,
    callSessionId: null,
    startedAt: s.at(0),
    answeredAt: s.at(5),
    endedAt: s.at(65),
    outcome: 'converted',
    hangupCause: 'normal_clearing',
    hangupSource: 'callee',
    costUsd: 0.012,
    updatedAt: s.at(65),
    ...overrides,
  };
}

export function makeTurn(
  s: Scope,
  callName: string,
  seq: number,
  overrides: Partial<TranscriptTurn> = {},
): TranscriptTurn {
  return {
    callId: s.id(callName),
    seq,
    speaker: seq % 2 === 0 ? 'agent' : 'prospect',
    text: `turn ${seq}`,
    startedAt: s.at(seq * 10),
    endedAt: s.at(seq * 10 + 5),
    confidence: seq % 2 === 0 ? null : 0.93,
    intentId: null,
    latencyMs: seq % 2 === 0 ? 120 : null,
    ...overrides,
  };
}

/** Text that breaks naive encoders: accents, CJK, emoji (astral plane), RTL, quotes, NUL-free. */
export const UNICODE_TEXT = 'Ça coûte trop cher — 价格太高了 🤑💸 — السعر مرتفع "quoted" \'single\' \\ back';

/** A unit vector along axis `i` of `dim` dimensions, optionally tilted towards axis `j`. */
export function axis(dim: number, i: number, tiltTo?: number, tilt = 0): number[] {
  const v = new Array<number>(dim).fill(0);
  v[i] = 1;
  if (tiltTo !== undefined) v[tiltTo] = tilt;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

/** A bucket grid over a range, as the dashboard module would make it for that width. */
export function grid(range: { from: string; to: string }, bucketSeconds: number): BucketGrid {
  return { ...range, bucketSeconds, originMs: bucketOriginMs(Date.parse(range.from), bucketSeconds) };
}
