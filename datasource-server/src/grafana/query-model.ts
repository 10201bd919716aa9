/**
 * The query contract between the Grafana data source (plugin/) and this server.
 * Defined once: the zod schema validates requests here; the plugin imports the TYPES only
 * (`import type { … } from '…/datasource-server/src/grafana/query-model'`).
 */
import { z } from 'zod';

export const DIRECTIONS = ['inbound', 'outbound'] as const;
export const OUTCOMES = ['converted', 'not_converted', 'voicemail', 'no_answer', 'failed'] as const;
export const SKILLS = ['opening', 'discovery', 'objection_handling', 'closing', 'overall'] as const;
export const KPI_METRICS = ['answer_rate', 'conversion_rate', 'avg_handle_time', 'cost_per_call'] as const;

const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);

/** One panel query. `kind` picks what is asked; the other fields are that kind's options. */
export const queryKindSchema = z.discriminatedUnion('kind', [
  /** Calls in progress now: one number. */
  z.object({ kind: z.literal('active_calls') }),
  /** Calls started per interval, one series per group. */
  z.object({
    kind: z.literal('call_volume'),
    groupBy: z.enum(['none', 'direction', 'outcome']).default('direction'),
    direction: z.enum(DIRECTIONS).optional(),
  }),
  /** A rate or average per interval: answer rate (0–1), conversion rate (0–1), handle time (s), cost per call (USD). */
  z.object({ kind: z.literal('kpi'), metric: z.enum(KPI_METRICS), direction: z.enum(DIRECTIONS).optional() }),
  /** Ended calls by hang-up cause in the range. */
  z.object({ kind: z.literal('hangup_causes'), limit: limit(50, 10) }),
  /** Per-turn latency (prospect finished → our response sent) percentiles per interval, in ms. */
  z.object({ kind: z.literal('turn_latency') }),
  /** Beast Mode score (0–100): `timeseries` over the range, or `current` (latest snapshot). */
  z.object({
    kind: z.literal('beast_mode'),
    mode: z.enum(['timeseries', 'current']).default('timeseries'),
    skill: z.enum([...SKILLS, 'all']).default('all'),
  }),
  /** Objections ranked by how often they were raised, with the best response and its win rate. */
  z.object({ kind: z.literal('top_objections'), limit: limit(50, 10) }),
  /** The learning graph as node-graph frames (nodes + edges). */
  z.object({ kind: z.literal('learning_graph') }),
  /** Newest calls in the range, as a table. */
  z.object({
    kind: z.literal('recent_calls'),
    limit: limit(500, 50),
    direction: z.enum(DIRECTIONS).optional(),
    outcome: z.enum(OUTCOMES).optional(),
  }),
  /** One call's transcript, turn by turn. */
  z.object({ kind: z.literal('transcript'), callId: z.string().uuid() }),
  /** Turns whose meaning is nearest to `text` (vector search). */
  z.object({ kind: z.literal('transcript_search'), text: z.string().trim().min(1).max(500), limit: limit(100, 20) }),
  /** Utterances the agent did not understand, newest first, for review. */
  z.object({ kind: z.literal('unrecognised'), limit: limit(500, 50) }),
  /** Active calls / CALL_CAPACITY and the SCALING_THRESHOLD, now. */
  z.object({ kind: z.literal('capacity') }),
]);

export type QueryKind = z.infer<typeof queryKindSchema>;
export type QueryKindName = QueryKind['kind'];
/** What the query editor edits: `kind` and its options (before defaults are applied). */
export type VoiceQueryInput = z.input<typeof queryKindSchema>;

export const querySchema = z.intersection(
  z.object({ refId: z.string().min(1).max(64), hide: z.boolean().optional() }),
  queryKindSchema,
);
export type VoiceQuery = z.infer<typeof querySchema>;

const EARLIEST_MS = Date.UTC(1970, 0, 1);
const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An ISO-8601 time between 1970 and 9999 (year 0000 is not a Postgres timestamp). */
export const dashboardTime = z
  .string()
  .datetime({ offset: true, message: 'expected an ISO-8601 time like 2026-12-01T00:00:00Z' })
  .refine((v) => {
    const ms = Date.parse(v);
    return ms >= EARLIEST_MS && ms <= LATEST_MS;
  }, 'expected a time between 1970 and 9999');

/** The body Grafana's data source posts to POST /api/grafana/query. */
export const queryRequestSchema = z.object({
  range: z.object({ from: dashboardTime, to: dashboardTime }),
  intervalMs: z.number().int().positive().max(86_400_000).default(60_000),
  maxDataPoints: z.number().int().positive().max(20_000).default(1_000),
  /** Queries are validated one by one so a bad one fails alone (per-refId error). */
  queries: z.array(z.unknown()).min(1).max(50),
});
export type QueryRequest = z.infer<typeof queryRequestSchema>;

// ---- Grafana data-frame JSON (the wire format of Grafana's backend data responses) ----

export type FieldType = 'time' | 'number' | 'string' | 'boolean' | 'other';

export interface FieldSchema {
  name: string;
  type: FieldType;
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
}

export interface DataFrameJSON {
  schema: {
    refId?: string;
    name?: string;
    fields: FieldSchema[];
    meta?: { preferredVisualisationType?: 'graph' | 'table' | 'logs' | 'trace' | 'nodeGraph'; [key: string]: unknown };
  };
  data: { values: unknown[][] };
}

export interface QueryResult {
  frames: DataFrameJSON[];
  /** Set instead of frames when this query failed; the others still answer. */
  error?: string;
  status?: number;
}

export interface QueryResponse {
  results: Record<string, QueryResult>;
}

/** GET /api/grafana/variables/:name — template variable values. */
export const VARIABLE_NAMES = ['directions', 'outcomes', 'skills', 'objections', 'personas', 'campaigns'] as const;
export type VariableName = (typeof VARIABLE_NAMES)[number];
export interface VariableValue {
  text: string;
  value: string;
}
