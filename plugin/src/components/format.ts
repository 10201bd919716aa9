export const fmtInt = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
export const fmtPct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
export const fmtUsd = (v: number | null) => (v === null ? '—' : `$${v.toFixed(2)}`);
export const fmtScore = (v: number | null) => (v === null ? '—' : v.toFixed(1));
export const fmtSeconds = (v: number | null) =>
  v === null ? '—' : v >= 60 ? `${Math.floor(v / 60)}m ${Math.round(v % 60)}s` : `${v.toFixed(0)}s`;
