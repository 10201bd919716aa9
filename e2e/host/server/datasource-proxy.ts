/**
 * Grafana's data-source proxy, /api/datasources/proxy/uid/<uid>/<path> (pkg/api/pluginproxy/ds_proxy.go):
 *  - the data source's own URL is the default target (datasource.ValidateURL adds "http://" when the
 *    URL has no scheme), joined with the proxied path;
 *  - the first plugin route whose method matches and whose cleaned path is a prefix of the cleaned
 *    proxied path applies (validateRequest); ApplyRoute (ds_auth_provider.go) renders its `url`, header
 *    `content` and `urlParams` with Go templates over {JsonData, SecureJsonData}, takes scheme and host
 *    from the rendered URL and joins its path with the rest of the proxied path. A template that does
 *    not parse or execute is logged and that part of the route is skipped, as Grafana does;
 *  - cookies are dropped, User-Agent is "Grafana/<version>", X-DS-Authorization becomes Authorization;
 *  - an upstream 401 becomes 400 "Authentication to data source failed"; a request Grafana cannot send
 *    (no host, e.g. a route URL rendered as "<no value>") or that fails in transit is a 502 with an
 *    empty body (util/proxyutil errorHandler).
 */
import http from 'node:http';
import https from 'node:https';
import { renderGoTemplate, type RouteTemplateData } from './go-template';
import type { PluginRoute } from './plugins';

export interface ProxyDataSource {
  url: string;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

export interface ProxyPlan {
  /** Where the request goes; `null` when Go's transport would refuse it (no scheme or host). */
  target: URL | null;
  /** The exact string the route template rendered, for diagnostics (e.g. "<no value>"). */
  renderedRouteUrl?: string;
  route?: PluginRoute;
  headers: Record<string, string>;
  /** Template failures Grafana would log ("Error interpolating proxy url", …). */
  logs: string[];
}

const HOP_BY_HOP = [
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'host',
];

/** util.CleanRelativePath: path.Clean("/" + p) made relative; "." is the empty prefix (issue 116273). */
function cleanRelative(p: string): string {
  const parts: string[] = [];
  for (const seg of `/${p}`.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return parts.join('/');
}

/** util.JoinURLFragments */
function joinUrlFragments(a: string, b: string): string {
  if (b.length === 0) return a;
  const aslash = a.endsWith('/');
  const bslash = b.startsWith('/');
  if (aslash && bslash) return a + b.slice(1);
  if (!aslash && !bslash) return `${a}/${b}`;
  return a + b;
}

/** A Go url.Parse that never throws: what ApplyRoute gets for scheme, host and path. */
function goParse(raw: string): { scheme: string; host: string; path: string } {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(\/\/([^/?#]*))?([^?#]*)/.exec(raw);
  if (!m) return { scheme: '', host: '', path: raw.split(/[?#]/)[0] ?? '' };
  return { scheme: m[1]!.toLowerCase(), host: m[3] ?? '', path: m[4] ?? '' };
}

function toUrl(parts: { scheme: string; host: string; path: string }, query: string): URL | null {
  if (!['http', 'https'].includes(parts.scheme) || !parts.host) return null;
  try {
    return new URL(`${parts.scheme}://${parts.host}${parts.path || '/'}${query ? `?${query}` : ''}`);
  } catch {
    return null;
  }
}

function render(template: string, data: RouteTemplateData, what: string, logs: string[]): string | null {
  try {
    return renderGoTemplate(template, data);
  } catch (error) {
    logs.push(`${what}: ${(error as Error).message}`);
    return null;
  }
}

export function planProxyRequest(options: {
  ds: ProxyDataSource;
  routes: PluginRoute[];
  method: string;
  proxyPath: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  grafanaVersion: string;
}): ProxyPlan {
  const logs: string[] = [];
  const base = goParse(/^[^:]*:\/\//.test(options.ds.url) ? options.ds.url : `http://${options.ds.url}`);
  let target = { ...base, path: joinUrlFragments(base.path, options.proxyPath) };
  let query = options.query;

  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers)) {
    if (v === undefined || HOP_BY_HOP.includes(k.toLowerCase()) || k.toLowerCase() === 'cookie') continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  }
  if (headers['x-ds-authorization']) {
    headers.authorization = headers['x-ds-authorization'];
    delete headers['x-ds-authorization'];
  }
  headers['user-agent'] = `Grafana/${options.grafanaVersion}`;

  const route = options.routes.find((r) => {
    if (r.method && r.method !== '*' && r.method !== options.method) return false;
    return cleanRelative(options.proxyPath).startsWith(cleanRelative(r.path));
  });
  let renderedRouteUrl: string | undefined;
  if (route) {
    const data: RouteTemplateData = { JsonData: options.ds.jsonData, SecureJsonData: options.ds.secureJsonData };
    const rest = options.proxyPath.startsWith(route.path)
      ? options.proxyPath.slice(route.path.length)
      : options.proxyPath;
    if (route.url) {
      const rendered = render(route.url, data, 'Error interpolating proxy url', logs);
      if (rendered !== null) {
        renderedRouteUrl = rendered;
        const parsed = goParse(rendered);
        target = { scheme: parsed.scheme, host: parsed.host, path: joinUrlFragments(parsed.path, rest) };
      }
    }
    const params = new URLSearchParams(query);
    for (const p of route.urlParams ?? []) {
      const name = render(p.name, data, 'Failed to render plugin URL query string', logs);
      const content = render(p.content, data, 'Failed to render plugin URL query string', logs);
      if (name !== null && content !== null) params.append(name, content);
    }
    params.sort();
    query = params.toString();
    for (const h of route.headers ?? []) {
      const content = render(h.content, data, 'Failed to render plugin headers', logs);
      if (content === null) break;
      headers[h.name.toLowerCase()] = content;
    }
  }
  return { target: toUrl(target, query), renderedRouteUrl, route, headers, logs };
}

export interface ProxyResult {
  status: number;
  /** What the stand-in records about each forwarded request (never the headers: they hold secrets). */
  target: string | null;
}

/**
 * Sends the planned request and streams the answer back as Grafana's reverse proxy would.
 * `hosts` plays the container network's DNS (e.g. voice-agent-api:5000 → 127.0.0.1:5101); the
 * request still carries the deployment's Host header.
 */
export function forward(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  plan: ProxyPlan,
  body: Buffer,
  hosts: Record<string, string> = {},
): Promise<ProxyResult> {
  return new Promise((resolve) => {
    const badGateway = () => {
      if (!res.headersSent) res.writeHead(502).end();
      resolve({ status: 502, target: plan.target?.toString() ?? null });
    };
    if (!plan.target) {
      badGateway();
      return;
    }
    const client = plan.target.protocol === 'https:' ? https : http;
    const connectTo = new URL(plan.target);
    if (hosts[plan.target.host]) connectTo.host = hosts[plan.target.host]!;
    const upstream = client.request(
      connectTo,
      { method: req.method, headers: { ...plan.headers, host: plan.target.host } },
      (up) => {
        const status = up.statusCode ?? 502;
        if (status === 401) {
          up.resume();
          const msg = 'Authentication to data source failed';
          res
            .writeHead(400, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(msg) })
            .end(msg);
          resolve({ status: 400, target: plan.target!.toString() });
          return;
        }
        const headers = { ...up.headers };
        delete headers['set-cookie'];
        for (const h of HOP_BY_HOP) delete headers[h];
        res.writeHead(status, headers);
        up.pipe(res);
        up.on('end', () => resolve({ status, target: plan.target!.toString() }));
      },
    );
    upstream.setTimeout(30_000, () => upstream.destroy(new Error('timeout')));
    upstream.on('error', badGateway);
    upstream.end(body);
  });
}
