import type { BucketGrid } from '../dashboard/bucket-grid';
import type { BeastModeSnapshot, CallDirection, DeadLetter, TimeRange } from '../domain';
import type { StoreAdapter } from './store';

/** Turn-latency histogram bucket bounds in ms (the last bucket is open-ended). */
export const TURN_LATENCY_BOUNDS_MS = [5, 10, 25, 50, 100, 200, 500, 1000, 2000, 5000] as const;

/** A bucketed series query: the grid decides the buckets (see dashboard/bucket-grid). */
export interface BucketQuery extends BucketGrid {
  direction?: CallDirection;
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
 * by its time range, and parameterised. Buckets are the query's grid: they start at its origin.
 */
export interface CallAnalytics extends StoreAdapter {
  volume(query: BucketQuery & { groupBy: 'none' | 'direction' | 'outcome' }): Promise<VolumePoint[]>;
  kpis(query: BucketQuery): Promise<KpiPoint[]>;
  hangupCauses(range: TimeRange, limit: number): Promise<{ cause: string; calls: number }[]>;
  turnLatency(query: BucketQuery): Promise<LatencyPoint[]>;
  beastModeSeries(query: BucketQuery): Promise<ScorePoint[]>;
  /** The newest `limit` Beast Mode snapshots, oldest first (whether Beast Mode is on). */
  latestBeastModeSnapshots(limit: number): Promise<BeastModeSnapshot[]>;
  /** Unix seconds of the newest successful `voice-agent backup` recorded here, or null. */
  lastBackupSuccess(): Promise<number | null>;
  /** Acknowledged events not applied yet (dead letters aside): the recovery sweep's backlog. */
  unappliedEvents(): Promise<number>;
  /** Events set aside after every attempt to apply them failed, newest first. */
  deadLetters(limit: number): Promise<{ total: number; newest: DeadLetter[] }>;
  /** Distinct non-empty values of a call attribute seen in the range, most frequent first. */
  distinctValues(attribute: 'persona' | 'campaign', range: TimeRange, limit: number): Promise<string[]>;
}
