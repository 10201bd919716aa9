/**
 * Values the voice core's domain owns and every other side shows or filters by. Defined once
 * here; voice-core re-exports them with its domain types.
 */

export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];

export const CALL_STATUSES = ['queued', 'dialing', 'ringing', 'answered', 'ended', 'failed'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

export const CALL_OUTCOMES = ['converted', 'not_converted', 'voicemail', 'no_answer', 'failed'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export const BEAST_MODE_SKILLS = ['opening', 'discovery', 'objection_handling', 'closing', 'overall'] as const;
export type BeastModeSkill = (typeof BEAST_MODE_SKILLS)[number];

/** The store roles, named after the production server that plays each. */
export const STORE_NAMES = ['postgres', 'mongodb', 'neo4j', 'chroma', 'redis'] as const;
export type StoreName = (typeof STORE_NAMES)[number];

export const ADAPTER_KINDS = ['embedded', 'native'] as const;
export type AdapterKind = (typeof ADAPTER_KINDS)[number];

/** Rates and averages a KPI series can show. */
export const KPI_METRICS = ['answer_rate', 'conversion_rate', 'avg_handle_time', 'cost_per_call'] as const;
export type KpiMetric = (typeof KPI_METRICS)[number];
