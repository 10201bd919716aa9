import React, { createContext, type ReactNode, useContext, useMemo, useState } from 'react';

export const RANGE_OPTIONS = [
  { label: '1h', value: 3_600_000 },
  { label: '6h', value: 21_600_000 },
  { label: '24h', value: 86_400_000 },
  { label: '7d', value: 604_800_000 },
  { label: '30d', value: 2_592_000_000 },
];

interface RangeState {
  /** Look-back window of the pages' time-based queries, in ms. */
  rangeMs: number;
  setRangeMs: (ms: number) => void;
  /** How often pages refresh; 0 turns auto-refresh off (`?refresh=0`). */
  refreshMs: number;
}

const RangeContext = createContext<RangeState>({ rangeMs: 86_400_000, setRangeMs: () => {}, refreshMs: 10_000 });

export function RangeProvider({ children, refreshMs = 10_000 }: { children: ReactNode; refreshMs?: number }) {
  const [rangeMs, setRangeMs] = useState(86_400_000);
  const value = useMemo(() => ({ rangeMs, setRangeMs, refreshMs }), [rangeMs, refreshMs]);
  return <RangeContext.Provider value={value}>{children}</RangeContext.Provider>;
}

export const useRange = () => useContext(RangeContext);

/** Reads `?refresh=<seconds>` from the URL; defaults to 10 s. */
export function refreshFromLocation(search: string): number {
  const raw = new URLSearchParams(search).get('refresh');
  if (raw === null) {
    return 10_000;
  }
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 10_000;
}
