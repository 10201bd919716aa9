/** Grafana's data-frame JSON: the wire format of Grafana's backend data responses. */
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

/**
 * The fields of each kind's frames, in order, by name. The server builds its frames from these
 * lists and the plugin reads fields by these names, so neither side can drift from the other.
 * (call_volume has one frame per group and beast_mode_series one per skill, their values
 * labelled by it; learning_graph a `nodes` and an `edges` frame.)
 */
export const FRAME_FIELDS = {
  active_calls: ['time', 'active_calls'],
  call_volume: ['time', 'calls'],
  kpi: ['time', 'value'],
  hangup_causes: ['cause', 'calls'],
  turn_latency: ['time', 'p50', 'p95', 'p99'],
  beast_mode_current: ['skill', 'score'],
  /** One frame per skill, its score labelled {skill}. */
  beast_mode_series: ['time', 'score'],
  top_objections: [
    'objection',
    'label',
    'times_answered',
    'win_rate',
    'best_response',
    'best_response_win_rate',
    'best_response_trials',
  ],
  learning_graph_nodes: ['id', 'title', 'subTitle', 'mainStat', 'secondaryStat', 'arc__wins', 'arc__losses'],
  learning_graph_edges: ['id', 'source', 'target', 'mainStat', 'secondaryStat'],
  recent_calls: [
    'started',
    'call_id',
    'direction',
    'status',
    'outcome',
    'from',
    'to',
    'persona',
    'campaign',
    'talk_time',
    'cost',
    'hangup_cause',
  ],
  transcript: ['seq', 'time', 'speaker', 'text', 'intent', 'latency', 'confidence'],
  transcript_search: ['call_id', 'seq', 'text', 'similarity'],
  unrecognised: ['time', 'call_id', 'text', 'nearest_intent', 'similarity'],
  capacity: ['time', 'active_calls', 'capacity', 'utilization', 'scaling_threshold', 'above_threshold'],
  dead_letters: ['dead_at', 'event_id', 'call_id', 'type', 'occurred_at', 'attempts', 'reason'],
} as const satisfies Record<string, readonly string[]>;

export type FrameName = keyof typeof FRAME_FIELDS;
export type FrameField<F extends FrameName> = (typeof FRAME_FIELDS)[F][number];

/** `meta.custom` of the beast_mode frames: the bar the server is configured with, and whether Beast Mode is on. */
export interface BeastModeMeta {
  expertBar: number;
  /** On when the overall score reached the bar in each of the last snapshots (BEAST_MODE_STREAK). */
  beastMode: boolean;
  callsLearned: number;
}
