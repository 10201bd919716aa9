import type { CallDirection, DeadLetter, TimeRange } from '../domain';
import type { StoreAdapter } from './store';

/** Turn-latency histogram bucket bounds in ms (the last bucket is open-ended). */
export const TURN_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000] as const;

export interface BucketQuery extends TimeRange {
  /** Width of a time bucket in seconds (≥ 60: rollups are per minute). */
  bucketSeconds: number;
  direction?: CallDirection;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/**
 * Where the first bucket of a series starts. Buckets of whole hours start on a UTC hour and
 * buckets of whole days at UTC midnight, so they line up with the hourly and daily rollups
 * (and with each other from one refresh to the next); finer buckets start at the range's start.
 */
export function bucketOriginMs(fromMs: number, bucketSeconds: number): number {
  const bucketMs = bucketSeconds * 1000;
  if (bucketMs % DAY_MS === 0) return Math.floor(fromMs / DAY_MS) * DAY_MS;
  if (bucketMs % HOUR_MS === 0) return Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  return fromMs;
}

export interface VolumePoint {
  bucket: string;
  /** The group's value (direction or outcome), or 'all'. */
  group: string;
  calls: number;
}

export interface KpiPoint {
  bucket: string;
  calls: number;
  answered: number;
  converted: number;
  handleSeconds: number;
  costUsd: number;
}

export interface LatencyPoint {
  bucket: string;
  /** Turns per histogram bucket, aligned with TURN_LATENCY_BOUNDS_MS plus one open-ended bucket. */
  counts: number[];
}

export interface ScorePoint {
  bucket: string;
  scores: Record<string, number>;
}

/**
 * Dashboard reads (Postgres role, served by the read replica). Time series come from the
 * rollups only (per minute, hour or day: the coarsest the bucket allows), every query is bounded
 * by its time range, and parameterised. Buckets start at bucketOriginMs.
 */
export interface CallAnalytics extends StoreAdapter {
  volume(query: BucketQuery & { groupBy: 'none' | 'direction' | 'outcome' }): Promise<VolumePoint[]>;
  kpis(query: BucketQuery): Promise<KpiPoint[]>;
  hangupCauses(range: TimeRange, limit: number): Promise<{ cause: string; calls: number }[]>;
  turnLatency(query: BucketQuery): Promise<LatencyPoint[]>;
  /** Adds turn latencies to their minute's histogram (batched by the caller). */
  addTurnLatencies(samples: { at: string; latencyMs: number }[]): Promise<void>;
  beastModeSeries(query: BucketQuery): Promise<ScorePoint[]>;
  /** Unix seconds of the newest successful `voice-agent backup` recorded here, or null. */
  lastBackupSuccess(): Promise<number | null>;
  /** Acknowledged events not applied yet (dead letters aside): the recovery sweep's backlog. */
  unappliedEvents(): Promise<number>;
  /** Events set aside after every attempt to apply them failed, newest first. */
  deadLetters(limit: number): Promise<{ total: number; newest: DeadLetter[] }>;
  /** Distinct non-empty values of a call attribute seen in the range, most frequent first. */
  distinctValues(attribute: 'persona' | 'campaign', range: TimeRange, limit: number): Promise<string[]>;
}
