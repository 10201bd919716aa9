/**
 * The services Grafana's frontend gives plugins, set through @grafana/runtime's setters so the
 * plugin's real code runs unchanged:
 *  - BackendSrv (public/app/core/services/backend_srv.ts parseRequestOptions): a local URL loses its
 *    leading "/" so it resolves against <base href> (the sub path); it gets X-Grafana-Org-Id; an
 *    Authorization header is sent as X-DS-Authorization; a non-2xx answer is a FetchError.
 *  - DataSourceSrv (public/app/features/plugins/datasource_srv.ts): instance settings from the boot
 *    data by uid, name or the default; instances from the data source plugin's module; reload()
 *    re-reads /api/frontend/settings.
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
import { importPluginModule } from './amd';
import { boot } from './boot';

const isLocalUrl = (url: string) => !/^\w+:\/\//.test(url);

function toUrl(options: BackendSrvRequest): string {
  const params = Object.entries((options.params ?? {}) as Record<string, unknown>).filter(
    ([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0) && v !== '',
  );
  const query = new URLSearchParams(params.map(([k, v]) => [k, String(v)])).toString();
  return query ? `${options.url}?${query}` : options.url;
}

function parseRequestOptions(options: BackendSrvRequest): BackendSrvRequest {
  if (!isLocalUrl(options.url)) {
    return options;
  }
  const headers: Record<string, string> = { 'X-Grafana-Org-Id': String(boot.user.orgId), ...(options.headers ?? {}) };
  if (headers.Authorization) {
    headers['X-DS-Authorization'] = headers.Authorization;
    delete headers.Authorization;
  }
  return { ...options, url: options.url.startsWith('/') ? options.url.slice(1) : options.url, headers };
}

function fetchObservable<T>(raw: BackendSrvRequest): Observable<FetchResponse<T>> {
  const options = parseRequestOptions(raw);
  return new Observable<FetchResponse<T>>((subscriber) => {
    const controller = new AbortController();
    const hasBody = options.data !== undefined && options.method && options.method !== 'GET';
    fetch(toUrl(options), {
      method: options.method ?? 'GET',
      headers: {
        Accept: 'application/json, text/plain, */*',
        ...(hasBody ? { 'Content-Type': 'application/json' } : {}),
        ...(options.headers ?? {}),
      },
      body: hasBody ? (typeof options.data === 'string' ? options.data : JSON.stringify(options.data)) : undefined,
      signal: controller.signal,
    })
      .then(async (response) => {
        const text = await response.text();
        let data: unknown = text;
        try {
          data = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: Grafana keeps the text (e.g. "Authentication to data source failed")
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
      throw new Error('stand-in: chunked requests are not implemented');
    },
  } as unknown as BackendSrv;
}

class StandInDataSourceSrv implements DataSourceSrv {
  private settings: Record<string, DataSourceInstanceSettings> = boot.settings.datasources;
  private defaultName = boot.settings.defaultDatasource;
  private instances = new Map<string, Promise<DataSourceApi>>();

  constructor(private readonly shared: Record<string, unknown>) {}

  // Grafana's own DatasourceSrv.reload is async behind this void-typed interface too.
  // eslint-disable-next-line @typescript-eslint/no-misused-promises
  async reload(): Promise<void> {
    const response = await fetch('api/frontend/settings');
    const settings = (await response.json()) as typeof boot.settings;
    this.settings = settings.datasources;
    this.defaultName = settings.defaultDatasource;
    this.instances.clear();
  }

  getList(filters: { type?: string | string[] } = {}): DataSourceInstanceSettings[] {
    const types = filters.type === undefined ? null : ([] as string[]).concat(filters.type);
    return Object.values(this.settings).filter((ds) => !types || types.includes(ds.type));
  }

  getInstanceSettings(ref?: unknown): DataSourceInstanceSettings | undefined {
    if (ref === undefined || ref === null || ref === 'default') {
      return this.settings[this.defaultName];
    }
    const key = typeof ref === 'string' ? ref : (ref as { uid?: string }).uid;
    return Object.values(this.settings).find((ds) => ds.uid === key || ds.name === key);
  }

  get(ref?: unknown): Promise<DataSourceApi> {
    const settings = this.getInstanceSettings(ref);
    if (!settings) {
      return Promise.reject(new Error(`Datasource ${JSON.stringify(ref)} was not found`));
    }
    let instance = this.instances.get(settings.uid);
    if (!instance) {
      instance = importPluginModule(settings.meta.module, this.shared).then((module) => {
        const plugin = module.plugin as {
          DataSourceClass: new (s: DataSourceInstanceSettings) => DataSourceApi;
          components: unknown;
        };
        const ds = new plugin.DataSourceClass(settings);
        Object.assign(ds, { components: plugin.components, meta: settings.meta });
        return ds;
      });
      this.instances.set(settings.uid, instance);
    }
    return instance;
  }

  registerRuntimeDataSource(): void {
    throw new Error('stand-in: runtime data sources are not implemented');
  }
}

/** Dashboard variables: the stand-in has none; scoped variables ($x, ${x}) are replaced. */
const templateSrv = {
  getVariables: () => [],
  replace: (target?: string, scopedVars?: ScopedVars) =>
    (target ?? '').replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, a?: string, b?: string) => {
      const v = scopedVars?.[(a ?? b)!];
      return v === undefined ? whole : String(v.value);
    }),
  containsTemplate: (target?: string) => /\$\{?\w+/.test(target ?? ''),
  updateTimeRange: () => {},
} as unknown as TemplateSrv;

export function setUpGrafanaServices(shared: Record<string, unknown>): void {
  setBackendSrv(createBackendSrv());
  setTemplateSrv(templateSrv);
  setDataSourceSrv(new StandInDataSourceSrv(shared));
}
