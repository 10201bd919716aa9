import { listeningPid, treeCpuSeconds, type StoreEnv } from '@mwva/testkit';
import type { Sample } from './prometheus';
import { round } from './stats';

/** A process (with its children) whose CPU a phase is charged for. */
export interface CpuAccount {
  name: string;
  /** Root pids now (a restarted process gets a new one). */
  pids: () => number[];
  /** The load generator: reported, but not part of what a call costs us. */
  loadGenerator?: boolean;
}

export interface CpuPerCall {
  process: string;
  cpuSeconds: number;
  cpuMsPerCall: number;
  loadGenerator: boolean;
}

const STORE_PORTS: Array<[string, keyof StoreEnv]> = [
  ['postgres (primary, all backends)', 'NEON_DATABASE_URL'],
  ['postgres (read replica)', 'NEON_READ_REPLICA_URL'],
  ['redis', 'REDIS_URL'],
  ['mongodb role (FerretDB)', 'MONGODB_URI'],
  ['neo4j', 'NEO4J_URI'],
  ['chroma', 'CHROMA_HOST'],
];

function portOf(url: string | undefined): number | null {
  if (!url) return null;
  try {
    const port = Number(new URL(url).port);
    return port > 0 ? port : null;
  } catch {
    return null;
  }
}

/** One account per store server of the environment, found by the port it listens on. */
export function storeAccounts(stores: StoreEnv): CpuAccount[] {
  return STORE_PORTS.flatMap(([name, key]) => {
    const port = portOf(stores[key]);
    if (port === null) return [];
    const pid = listeningPid(port);
    return pid === null ? [] : [{ name, pids: () => [pid] }];
  });
}

/**
 * CPU seconds of each account between two snapshots, from /proc: the whole process tree, so
 * Postgres backends, nginx workers and the JVM's threads count too.
 */
export class CpuLedger {
  constructor(private readonly accounts: CpuAccount[]) {}

  snapshot(): Map<string, number> {
    return new Map(this.accounts.map((a) => [a.name, a.pids().reduce((n, pid) => n + (treeCpuSeconds(pid) ?? 0), 0)]));
  }

  perCall(before: Map<string, number>, after: Map<string, number>, calls: number): CpuPerCall[] {
    return this.accounts.map((a) => {
      const seconds = Math.max(0, (after.get(a.name) ?? 0) - (before.get(a.name) ?? 0));
      return {
        process: a.name,
        cpuSeconds: round(seconds, 2),
        cpuMsPerCall: round((1000 * seconds) / Math.max(1, calls), 2),
        loadGenerator: a.loadGenerator ?? false,
      };
    });
  }
}

/** CPU ms per call of everything but the load generator. */
export function ourCpuMsPerCall(rows: CpuPerCall[]): number {
  return round(
    rows.filter((r) => !r.loadGenerator).reduce((n, r) => n + r.cpuMsPerCall, 0),
    2,
  );
}

export interface StoreOpsPerCall {
  store: string;
  op: string;
  perCall: number;
}

/**
 * Store operations per call, by store and operation: the replicas' `voice_store_duration_seconds`
 * counts between two scrapes (summed over replicas), divided by the calls of the phase.
 */
export function storeOpsPerCall(before: Sample[][], after: Sample[][], calls: number): StoreOpsPerCall[] {
  const counts = (sets: Sample[][]) => {
    const m = new Map<string, number>();
    for (const s of sets.flat()) {
      if (s.name !== 'voice_store_duration_seconds_count') continue;
      const key = `${s.labels.store ?? '?'}\t${s.labels.op ?? '?'}`;
      m.set(key, (m.get(key) ?? 0) + s.value);
    }
    return m;
  };
  const b = counts(before);
  return [...counts(after)]
    .map(([key, n]) => {
      const [store, op] = key.split('\t') as [string, string];
      return { store, op, perCall: round((n - (b.get(key) ?? 0)) / Math.max(1, calls), 2) };
    })
    .filter((r) => r.perCall > 0)
    .sort((x, y) => x.store.localeCompare(y.store) || y.perCall - x.perCall);
}
