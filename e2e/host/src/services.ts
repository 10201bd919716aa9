/**
 * The services Grafana provides to plugins, set through @grafana/runtime's setters so the
 * plugin's real code runs unchanged. Requests go to the host server, which plays Grafana's
 * HTTP API (data-source proxy with the bearer token added server-side, /api/datasources).
 */
import { Observable, lastValueFrom } from 'rxjs';
import type { DataSourceApi, DataSourceInstanceSettings, ScopedVars } from '@grafana/data';
import {
  type BackendSrv,
  type BackendSrvRequest,
  type DataSourceSrv,
  type FetchResponse,
  type TemplateSrv,
  setBackendSrv,
  setDataSourceSrv,
  setTemplateSrv,
} from '@grafana/runtime';

type DataSourceClass = new (settings: DataSourceInstanceSettings) => DataSourceApi;

function toUrl(options: BackendSrvRequest): string {
  if (!options.params) {
    return options.url;
  }
  const query = new URLSearchParams(options.params as Record<string, string>).toString();
  return query ? `${options.url}?${query}` : options.url;
}

/** Grafana's BackendSrv.fetch semantics: JSON in and out; non-2xx is a FetchError {status, data}. */
function fetchObservable<T>(options: BackendSrvRequest): Observable<FetchResponse<T>> {
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const hasBody = options.data !== undefined && options.method && options.method !== 'GET';
    fetch(toUrl(options), {
      method: options.method ?? 'GET',
      headers: { ...(hasBody ? { 'Content-Type': 'application/json' } : {}), ...(options.headers ?? {}) },
      body: hasBody ? JSON.stringify(options.data) : undefined,
      signal: controller.signal,
    })
      .then(async (response) => {
        const text = await response.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        const result = {
          data: data as T,
          status: response.status,
          statusText: response.statusText,
          ok: response.ok,
          headers: response.headers,
          redirected: response.redirected,
          type: response.type,
          url: response.url,
          config: options,
        };
        if (!response.ok) {
          subscriber.error({ ...result, isHandled: false });
          return;
        }
        subscriber.next(result);
        subscriber.complete();
      })
      .catch((error) =>
        subscriber.error({ status: 0, statusText: String(error), data: { message: String(error) }, config: options }),
      );
    return () => controller.abort();
  });
}

function createBackendSrv(): BackendSrv {
  const request = async <T>(options: BackendSrvRequest) => (await lastValueFrom(fetchObservable<T>(options))).data;
  return {
    fetch: fetchObservable,
    request,
    datasourceRequest: (options: BackendSrvRequest) => lastValueFrom(fetchObservable(options)),
    get: (url: string, params?: unknown) => request({ url, params: params as Record<string, string> }),
    delete: (url: string, data?: unknown) => request({ url, method: 'DELETE', data }),
    post: (url: string, data?: unknown) => request({ url, method: 'POST', data }),
    patch: (url: string, data?: unknown) => request({ url, method: 'PATCH', data }),
    put: (url: string, data?: unknown) => request({ url, method: 'PUT', data }),
    resolveCancelerIfExists: () => {},
    chunked: () => {
      throw new Error('chunked requests are not used by this plugin');
    },
  } as unknown as BackendSrv;
}

/** The data sources the host server knows (as Grafana's boot data lists them), instantiated on demand. */
class HostDataSourceSrv implements DataSourceSrv {
  private list: DataSourceInstanceSettings[] = [];
  private instances = new Map<string, DataSourceApi>();

  constructor(private readonly classes: Record<string, DataSourceClass>) {}

  async load(): Promise<void> {
    const response = await fetch('/api/host/datasources');
    this.list = (await response.json()) as DataSourceInstanceSettings[];
    this.instances.clear();
  }

  reload(): Promise<void> {
    return this.load();
  }

  getList(filters: { type?: string | string[] } = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? null : ([] as string[]).concat(filters.type);
    return this.list.filter((ds) => !types || types.includes(ds.type));
  }

  getInstanceSettings(ref?: unknown): DataSourceInstanceSettings | undefined {
    const key = typeof ref === 'string' ? ref : (ref as { uid?: string } | undefined)?.uid;
    return this.list.find((ds) => ds.uid === key || ds.name === key) ?? this.list[0];
  }

  async get(ref?: unknown): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    if (!settings) {
      throw new Error(`Data source ${JSON.stringify(ref)} was not found`);
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      const Class = this.classes[settings.type];
      if (!Class) {
        throw new Error(`No plugin loaded for data source type ${settings.type}`);
      }
      instance = new Class(settings);
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  registerRuntimeDataSource(): void {
    throw new Error('runtime data sources are not used by this plugin');
  }
}

/** Dashboard variables: the host has none, so text passes through unchanged. */
const templateSrv = {
  getVariables: () => [],
  replace: (target?: string, _scopedVars?: ScopedVars) => target ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv;

export async function setUpGrafanaServices(classes: Record<string, DataSourceClass>): Promise<HostDataSourceSrv> {
  setBackendSrv(createBackendSrv());
  setTemplateSrv(templateSrv);
  const dataSourceSrv = new HostDataSourceSrv(classes);
  await dataSourceSrv.load();
  setDataSourceSrv(dataSourceSrv);
  return dataSourceSrv;
}
