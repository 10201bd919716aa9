export const fmtInt = (v: number | null) => (v === null ? '—' : Math.round(v).toLocaleString('en-US'));
export const fmtPct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`);
/** Dollars; below a dollar to a tenth of a cent, where a call's cost (Telnyx bills per second) lies. */
export const fmtUsd = (v: number | null) => (v === null ? '—' : `$${v.toFixed(Math.abs(v) < 1 && v !== 0 ? 3 : 2)}`);
export const fmtScore = (v: number | null) => (v === null ? '—' : v.toFixed(1));
export const fmtSeconds = (v: number | null) =>
  v === null ? '—' : v >= 60 ? `${Math.floor(v / 60)}m ${Math.round(v % 60)}s` : `${v.toFixed(0)}s`;

/** Words that stay upper case when a slug is turned into a label. */
const ACRONYMS = new Set(['roi', 'crm', 'id', 'api']);

/** A machine slug as an executive reads it: "objection_handling" → "Objection handling". */
export function humanize(slug: string): string {
  const words = slug.split(/[_\s-]+/).filter(Boolean);
  return words
    .map((w, i) => (ACRONYMS.has(w) ? w.toUpperCase() : i === 0 ? `${w[0]!.toUpperCase()}${w.slice(1)}` : w))
    .join(' ');
}

/** A compact date and time in the viewer's locale: "Dec 3, 09:18". */
export const fmtDateTime = (ms: number) =>
  new Date(ms).toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
