import { z } from 'zod';
import { BEAST_MODE_SKILLS, CALL_DIRECTIONS, CALL_OUTCOMES, KPI_METRICS } from './enums';
import { dashboardTime } from './time';

/**
 * The dashboard query contract between the Grafana data source (plugin/) and the server:
 * validated by the server with these schemas, edited by the plugin's query editor, written by
 * provisioning's dashboards.
 */

const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback);
const direction = z.enum(CALL_DIRECTIONS).optional();

/** One panel query. `kind` picks what is asked; the other fields are that kind's options. */
export const queryKindSchema = z.discriminatedUnion('kind', [
  /** Calls in progress now: one number. */
  z.object({ kind: z.literal('active_calls') }),
  /** Calls started per interval, one series per group. */
  z.object({
    kind: z.literal('call_volume'),
    groupBy: z.enum(['none', 'direction', 'outcome']).default('direction'),
    direction,
  }),
  /** A rate or average per interval: answer rate (0–1), conversion rate (0–1), handle time (s), cost per call (USD). */
  z.object({ kind: z.literal('kpi'), metric: z.enum(KPI_METRICS), direction }),
  /** Ended calls by hang-up cause in the range. */
  z.object({ kind: z.literal('hangup_causes'), limit: limit(50, 10) }),
  /** Per-turn latency (prospect finished → our response sent) percentiles per interval, in ms. */
  z.object({ kind: z.literal('turn_latency') }),
  /** Beast Mode score (0–100): `timeseries` over the range, or `current` (now, with Beast Mode on or off). */
  z.object({
    kind: z.literal('beast_mode'),
    mode: z.enum(['timeseries', 'current']).default('timeseries'),
    skill: z.enum([...BEAST_MODE_SKILLS, 'all']).default('all'),
  }),
  /** Objections ranked by how often they were raised, with the best response and its win rate. */
  z.object({ kind: z.literal('top_objections'), limit: limit(50, 10) }),
  /** The learning graph as node-graph frames (nodes + edges). */
  z.object({ kind: z.literal('learning_graph') }),
  /** Newest calls in the range, as a table. */
  z.object({
    kind: z.literal('recent_calls'),
    limit: limit(500, 50),
    direction,
    outcome: z.enum(CALL_OUTCOMES).optional(),
  }),
  /** One call's transcript, turn by turn. */
  z.object({ kind: z.literal('transcript'), callId: z.string().uuid() }),
  /** Turns whose meaning is nearest to `text` (vector search). */
  z.object({ kind: z.literal('transcript_search'), text: z.string().trim().min(1).max(500), limit: limit(100, 20) }),
  /** Utterances the agent did not understand, newest first, for review. */
  z.object({ kind: z.literal('unrecognised'), limit: limit(500, 50) }),
  /** Active calls / CALL_CAPACITY and the SCALING_THRESHOLD, now. */
  z.object({ kind: z.literal('capacity') }),
  /** Webhook events set aside after every attempt to apply them failed, newest first. */
  z.object({ kind: z.literal('dead_letters'), limit: limit(500, 50) }),
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

/** The body Grafana's data source posts to POST /api/grafana/query. */
export const queryRequestSchema = z.object({
  range: z.object({ from: dashboardTime, to: dashboardTime }),
  intervalMs: z.number().int().positive().max(86_400_000).default(60_000),
  maxDataPoints: z.number().int().positive().max(20_000).default(1_000),
  /** Queries are validated one by one so a bad one fails alone (per-refId error). */
  queries: z.array(z.unknown()).min(1).max(50),
});
export type QueryRequest = z.infer<typeof queryRequestSchema>;

/** What the query editor offers for each kind, with the options a new query of that kind starts with. */
export const QUERY_KINDS: ReadonlyArray<{
  kind: QueryKindName;
  label: string;
  description: string;
  defaults: VoiceQueryInput;
}> = [
  {
    kind: 'active_calls',
    label: 'Active calls',
    description: 'Calls in progress now',
    defaults: { kind: 'active_calls' },
  },
  {
    kind: 'call_volume',
    label: 'Call volume',
    description: 'Calls started per interval',
    defaults: { kind: 'call_volume', groupBy: 'direction' },
  },
  {
    kind: 'kpi',
    label: 'KPI over time',
    description: 'Answer rate, conversion, handle time, cost per call',
    defaults: { kind: 'kpi', metric: 'conversion_rate' },
  },
  {
    kind: 'hangup_causes',
    label: 'Hang-up causes',
    description: 'Ended calls by cause',
    defaults: { kind: 'hangup_causes', limit: 10 },
  },
  {
    kind: 'turn_latency',
    label: 'Turn latency',
    description: 'Per-turn latency percentiles (ms)',
    defaults: { kind: 'turn_latency' },
  },
  {
    kind: 'beast_mode',
    label: 'Beast Mode',
    description: 'Score 0–100 per skill, now or over time',
    defaults: { kind: 'beast_mode', mode: 'timeseries', skill: 'all' },
  },
  {
    kind: 'top_objections',
    label: 'Top objections',
    description: 'Most raised objections and win rates',
    defaults: { kind: 'top_objections', limit: 10 },
  },
  {
    kind: 'learning_graph',
    label: 'Learning graph',
    description: 'Objections → responses as a node graph',
    defaults: { kind: 'learning_graph' },
  },
  {
    kind: 'recent_calls',
    label: 'Recent calls',
    description: 'Newest calls as a table',
    defaults: { kind: 'recent_calls', limit: 50 },
  },
  {
    kind: 'transcript',
    label: 'Transcript',
    description: "One call's turns",
    defaults: { kind: 'transcript', callId: '' },
  },
  {
    kind: 'transcript_search',
    label: 'Transcript search',
    description: 'Turns nearest in meaning to a text',
    defaults: { kind: 'transcript_search', text: '', limit: 20 },
  },
  {
    kind: 'unrecognised',
    label: 'Unrecognised utterances',
    description: 'What the agent did not understand',
    defaults: { kind: 'unrecognised', limit: 50 },
  },
  {
    kind: 'capacity',
    label: 'Capacity',
    description: 'Active calls vs capacity and scaling threshold',
    defaults: { kind: 'capacity' },
  },
  {
    kind: 'dead_letters',
    label: 'Dead letters',
    description: 'Webhook events that could not be applied',
    defaults: { kind: 'dead_letters', limit: 50 },
  },
];
