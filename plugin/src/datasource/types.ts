import type { DataQuery, DataSourceJsonData } from '@grafana/schema';
import type {
  DataFrameJSON,
  QueryKindName,
  QueryResponse,
  VariableName,
  VariableValue,
  VoiceQueryInput,
} from '@mwva/contract';

// The query contract is shared with the server (`contract/`), which validates every query with it.
export type { DataFrameJSON, QueryKindName, QueryResponse, VariableName, VariableValue, VoiceQueryInput };

/** A panel query as Grafana stores it: refId etc. plus one query kind and its options. */
export type VoiceQuery = DataQuery & VoiceQueryInput;

/** The route path in plugin.json; Grafana's proxy swaps it for jsonData.url and adds the token. */
export const PROXY_ROUTE = 'voiceagent';

export interface VoiceDataSourceOptions extends DataSourceJsonData {
  /** Base URL of the voice-agent-api as Grafana's server reaches it, e.g. http://voice-agent-api:5000. */
  url?: string;
}

/** Only Grafana's server reads this (proxy header); the browser just sees `secureJsonFields.apiToken: true`. */
export interface VoiceSecureJsonData {
  apiToken?: string;
}

export const DEFAULT_QUERY: Partial<VoiceQuery> = { kind: 'active_calls' };
