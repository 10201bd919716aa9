import type { QueryKindName } from './types';

/** What the query editor offers for each kind (labels for people; options are edited per kind). */
export const QUERY_KINDS: Array<{ value: QueryKindName; label: string; description: string }> = [
  { value: 'active_calls', label: 'Active calls', description: 'Calls in progress now' },
  { value: 'call_volume', label: 'Call volume', description: 'Calls started per interval' },
  { value: 'kpi', label: 'KPI over time', description: 'Answer rate, conversion, handle time, cost per call' },
  { value: 'hangup_causes', label: 'Hang-up causes', description: 'Ended calls by cause' },
  { value: 'turn_latency', label: 'Turn latency', description: 'Per-turn latency percentiles (ms)' },
  { value: 'beast_mode', label: 'Beast Mode', description: 'Score 0–100 per skill, now or over time' },
  { value: 'top_objections', label: 'Top objections', description: 'Most raised objections and win rates' },
  { value: 'learning_graph', label: 'Learning graph', description: 'Objections → responses as a node graph' },
  { value: 'recent_calls', label: 'Recent calls', description: 'Newest calls as a table' },
  { value: 'transcript', label: 'Transcript', description: "One call's turns" },
  { value: 'transcript_search', label: 'Transcript search', description: 'Turns nearest in meaning to a text' },
  { value: 'unrecognised', label: 'Unrecognised utterances', description: 'What the agent did not understand' },
  { value: 'capacity', label: 'Capacity', description: 'Active calls vs capacity and scaling threshold' },
];
