import { createHash } from 'node:crypto';
import type { BackupStoreName } from './manifest';
import type { DatasetDigest, ProgressSink } from './types';

const MOD = 1n << 256n;

/**
 * Order-independent digest of a set of records: the sum (mod 2^256) of the SHA-256 of each
 * record's canonical line. Streaming (constant memory) and independent of the order a store
 * returns its records in — Chroma and Neo4j give no stable order, and a restored store
 * need not return rows in the order they were written.
 */
export class ContentDigest {
  private sum = 0n;
  private n = 0;

  add(line: string): void {
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(line).digest('hex')}`)) % MOD;
    this.n += 1;
  }

  get count(): number {
    return this.n;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

/** JSON with object keys sorted at every level, so equal content gives equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The end of a dataset's content check: its final progress event and its digest entry. */
export function finishDatasetCheck(
  progress: ProgressSink,
  store: BackupStoreName,
  dataset: { name: string; records: number },
  digest: ContentDigest,
): DatasetDigest {
  progress({
    phase: 'check',
    store,
    dataset: dataset.name,
    done: digest.count,
    total: dataset.records,
    finished: true,
  });
  return { name: dataset.name, records: digest.count, digest: digest.hex() };
}
