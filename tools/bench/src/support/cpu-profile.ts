import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) a summary needs. */
interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileEntry {
  name: string;
  selfMs: number;
  /** share of all samples, in % */
  share: number;
}

export interface ProfileSummary {
  file: string;
  durationS: number;
  /** share of samples the process was running JavaScript or native code (not idle), in % */
  busyShare: number;
  /** self time by package (node_modules/<pkg>), our workspace, node internals, GC … */
  byArea: ProfileEntry[];
  /** self time by function, the heaviest first */
  byFunction: ProfileEntry[];
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

/** Where a function lives: an npm package, one of our workspaces, node itself, or a V8 bucket. */
function areaOf(url: string, functionName: string): string {
  if (SPECIAL.has(functionName)) return functionName;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/(voice-core|datasource-server)\/dist\/([^/]+)/.exec(url);
  if (ours) return `${ours[1]}/${ours[2]}`;
  if (url.startsWith('node:')) return 'node internals';
  return url ? 'other' : '(native)';
}

/** Self time per area and per function from one profile (sample counts × the mean interval). */
export function summariseProfile(file: string, top = 12): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const totalHits = profile.nodes.reduce((s, n) => s + (n.hitCount ?? 0), 0) || 1;
  const durationMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = durationMs / totalHits;
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  let idle = 0;
  for (const n of profile.nodes) {
    const hits = n.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    if (functionName === '(idle)') idle += hits;
    const area = areaOf(url, functionName);
    areas.set(area, (areas.get(area) ?? 0) + hits);
    const where = url
      ? `${url.replace(/^.*\/(node_modules|voice-core|datasource-server)\//, '$1/')}:${lineNumber + 1}`
      : '';
    const fn = `${functionName || '(anonymous)'}${where ? ` ${where}` : ''}`;
    functions.set(fn, (functions.get(fn) ?? 0) + hits);
  }
  const entries = (m: Map<string, number>) =>
    [...m]
      .filter(([name]) => name !== '(idle)')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, hits]) => ({
        name,
        selfMs: Math.round(hits * msPerHit),
        share: Math.round((1000 * hits) / totalHits) / 10,
      }));
  return {
    file,
    durationS: Math.round(durationMs / 100) / 10,
    busyShare: Math.round((1000 * (totalHits - idle)) / totalHits) / 10,
    byArea: entries(areas),
    byFunction: entries(functions),
  };
}

/** Every `.cpuprofile` in a folder, summarised. */
export function summariseProfiles(dir: string, top?: number): ProfileSummary[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
    .map((f) => summariseProfile(join(dir, f), top));
}

/** Human-readable lines: the areas, then the heaviest functions, per profile. */
export function formatProfiles(summaries: ProfileSummary[]): string {
  const lines: string[] = [];
  for (const s of summaries) {
    lines.push(`${s.file}: ${s.durationS} s, busy ${s.busyShare} % of samples`);
    lines.push('  by area (self time):');
    for (const e of s.byArea)
      lines.push(`    ${String(e.share).padStart(5)} %  ${String(e.selfMs).padStart(7)} ms  ${e.name}`);
    lines.push('  by function (self time):');
    for (const e of s.byFunction)
      lines.push(`    ${String(e.share).padStart(5)} %  ${String(e.selfMs).padStart(7)} ms  ${e.name}`);
  }
  return lines.join('\n');
}
