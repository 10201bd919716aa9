import { healthResponseSchema } from '@mwva/contract';
import {
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  DataSourceApi,
  type DataSourceInstanceSettings,
  LoadingState,
  type MetricFindValue,
  type ScopedVars,
  type TestDataSourceResponse,
} from '@grafana/data';
import { type FetchError, getBackendSrv, getTemplateSrv, isFetchError } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';
import { toDataFrame } from './frames';
import {
  DEFAULT_QUERY,
  PROXY_ROUTE,
  type QueryResponse,
  type VariableValue,
  type VoiceDataSourceOptions,
  type VoiceQuery,
} from './types';

const MAX_INTERVAL_MS = 86_400_000;
const MAX_DATA_POINTS = 20_000;
/** Query options that carry text a dashboard variable may fill in. */
const TEMPLATED_OPTIONS = ['text', 'callId', 'direction', 'outcome', 'skill', 'metric', 'groupBy'] as const;

/**
 * The nested data source. Every request goes through Grafana's data-source proxy
 * (`<instance url>/voiceagent/...`), which adds the bearer token from secureJsonData,
 * so the token never reaches the browser.
 */
export class VoiceDataSource extends DataSourceApi<VoiceQuery, VoiceDataSourceOptions> {
  /** e.g. /api/datasources/proxy/uid/<uid>/voiceagent */
  readonly proxyUrl: string;

  constructor(instanceSettings: DataSourceInstanceSettings<VoiceDataSourceOptions>) {
    super(instanceSettings);
    this.proxyUrl = `${instanceSettings.url ?? ''}/${PROXY_ROUTE}`;
  }

  getDefaultQuery(): Partial<VoiceQuery> {
    return DEFAULT_QUERY;
  }

  filterQuery(query: VoiceQuery): boolean {
    return !query.hide && Boolean(query.kind);
  }

  async query(request: DataQueryRequest<VoiceQuery>): Promise<DataQueryResponse> {
    const targets = request.targets.filter((t) => this.filterQuery(t));
    if (targets.length === 0) {
      return { data: [], state: LoadingState.Done };
    }
    const body = {
      range: { from: request.range.from.toISOString(), to: request.range.to.toISOString() },
      intervalMs: clamp(Math.round(request.intervalMs || 60_000), 1, MAX_INTERVAL_MS),
      maxDataPoints: clamp(Math.round(request.maxDataPoints || 1_000), 1, MAX_DATA_POINTS),
      queries: targets.map((t) => toWireQuery(t, request.scopedVars)),
    };
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<QueryResponse>({
          url: `${this.proxyUrl}/api/grafana/query`,
          method: 'POST',
          data: body,
          requestId: request.requestId,
        })
      );
      return toQueryResponse(response.data, targets);
    } catch (error) {
      throw new Error(describeError(error));
    }
  }

  async testDatasource(): Promise<TestDataSourceResponse> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({ url: `${this.proxyUrl}/api/grafana/health`, method: 'GET' })
      );
      return { status: 'success', message: `Connected to voice-agent-api. ${describeHealth(response.data)}` };
    } catch (error) {
      const down = isFetchError(error) ? describeHealth(error.data) : '';
      return { status: 'error', message: `${describeError(error)}${down ? ` ${down}` : ''}` };
    }
  }

  /** The raw GET /api/grafana/health answer (also when the server says 503), for the Operations page. */
  async health(): Promise<{ ok: boolean; body: unknown }> {
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<unknown>({
          url: `${this.proxyUrl}/api/grafana/health`,
          method: 'GET',
          showErrorAlert: false,
        })
      );
      return { ok: true, body: response.data };
    } catch (error) {
      if (isFetchError(error) && error.data && typeof error.data === 'object') {
        return { ok: false, body: error.data };
      }
      throw new Error(describeError(error));
    }
  }

  /** Template variables: the query is a variable name the server knows (personas, campaigns, …). */
  async metricFindQuery(query: string | { name?: string }): Promise<MetricFindValue[]> {
    const raw = typeof query === 'string' ? query : (query?.name ?? '');
    const name = getTemplateSrv().replace(raw.trim());
    if (!name) {
      return [];
    }
    try {
      const response = await lastValueFrom(
        getBackendSrv().fetch<VariableValue[]>({
          url: `${this.proxyUrl}/api/grafana/variables/${encodeURIComponent(name)}`,
          method: 'GET',
        })
      );
      return response.data.map((v) => ({ text: v.text, value: v.value }));
    } catch (error) {
      throw new Error(describeError(error));
    }
  }
}

/** Keeps our contract's fields: drops what Grafana adds (datasource, key, queryType) and fills variables. */
export function toWireQuery(query: VoiceQuery, scopedVars: ScopedVars = {}): Record<string, unknown> {
  const { datasource: _ds, key: _key, queryType: _qt, hide: _hide, ...rest } = query as VoiceQuery & { key?: string };
  const wire: Record<string, unknown> = { ...rest };
  for (const option of TEMPLATED_OPTIONS) {
    const value = wire[option];
    if (typeof value === 'string') {
      wire[option] = getTemplateSrv().replace(value, scopedVars);
    }
  }
  return wire;
}

/** One result per refId: frames, or an error that fails only that query. */
export function toQueryResponse(body: QueryResponse, targets: VoiceQuery[]): DataQueryResponse {
  const data = [];
  const errors: DataQueryError[] = [];
  for (const target of targets) {
    const result = body?.results?.[target.refId];
    if (!result) {
      errors.push({ refId: target.refId, message: `No result for query ${target.refId}` });
      continue;
    }
    if (result.error) {
      errors.push({ refId: target.refId, message: result.error, status: result.status });
      continue;
    }
    for (const frame of result.frames ?? []) {
      data.push(toDataFrame(frame, target.refId));
    }
  }
  return {
    data,
    errors: errors.length ? errors : undefined,
    state: errors.length ? LoadingState.Error : LoadingState.Done,
  };
}

/** A readable message from a proxy/server failure (the server answers `{ error }` or `{ message }`). */
export function describeError(error: unknown): string {
  if (isFetchError(error)) {
    const e = error as FetchError<{ error?: string; message?: string } | string | undefined>;
    const detail = typeof e.data === 'string' ? e.data : (e.data?.error ?? e.data?.message);
    if (e.status === 401 || e.status === 403) {
      return `voice-agent-api refused the token (HTTP ${e.status}); check the API token in the data source settings.`;
    }
    if (e.status === 502 || e.status === 504 || e.status === 0) {
      return `voice-agent-api is unreachable from Grafana (HTTP ${e.status}); check the URL in the data source settings.`;
    }
    return `voice-agent-api answered HTTP ${e.status}${detail ? `: ${detail}` : e.statusText ? `: ${e.statusText}` : ''}`;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Summarises GET /api/grafana/health: which stores answered and which did not. */
export function describeHealth(body: unknown): string {
  const entries = storeStates(body);
  if (entries.length === 0) {
    return '';
  }
  const down = entries.filter((e) => !e.up).map((e) => e.name);
  return down.length ? `Down: ${down.join(', ')}.` : `All stores answer: ${entries.map((e) => e.name).join(', ')}.`;
}

/** Each store named in a health body (the contract's shape), up or not; anything else names none. */
export function storeStates(body: unknown): Array<{ name: string; up: boolean; detail?: string }> {
  const parsed = healthResponseSchema.safeParse(body);
  if (!parsed.success) {
    return [];
  }
  return parsed.data.stores.map((s) => ({ name: s.store, up: s.ok, ...(s.error ? { detail: s.error } : {}) }));
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
