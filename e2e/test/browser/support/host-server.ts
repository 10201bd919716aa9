/**
 * Plays the part of Grafana's HTTP server for the host page: serves the page and the plugin's
 * dist/ (as /public/plugins/<id>/), keeps data-source settings (secureJsonData stays here), and
 * proxies /api/datasources/proxy/uid/<uid>/<route>/... using the routes of the data source's
 * plugin.json, rendering `{{ .JsonData.x }}` / `{{ .SecureJsonData.x }}` as Grafana does.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export const APP_ID = 'magnificentworldwide-voiceagent-app';
export const DS_TYPE = 'magnificentworldwide-voiceagent-datasource';

interface DataSource {
  id: number;
  uid: string;
  name: string;
  type: string;
  access: 'proxy';
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
}

interface Route {
  path: string;
  url: string;
  headers?: Array<{ name: string; content: string }>;
}

export interface HostOptions {
  port: number;
  hostDist: string;
  pluginDist: string;
  /** The data source the "admin" already created (omit to start unconfigured). */
  datasource?: { url: string; apiToken: string };
}

export interface Host {
  url: string;
  datasources: DataSource[];
  /** Every request the proxy forwarded: path and whether it carried the injected token. */
  proxied: Array<{ method: string; path: string; status: number }>;
  close: () => Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.md': 'text/markdown',
};

function render(template: string, ds: DataSource): string {
  return template
    .replace(/\{\{\s*\.JsonData\.(\w+)\s*\}\}/g, (_, key: string) => String(ds.jsonData[key] ?? ''))
    .replace(/\{\{\s*\.SecureJsonData\.(\w+)\s*\}\}/g, (_, key: string) => ds.secureJsonData[key] ?? '');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function serveFile(res: http.ServerResponse, file: string): boolean {
  if (!existsSync(file) || !statSync(file).isFile()) {
    return false;
  }
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).pipe(res);
  return true;
}

export async function startHost(options: HostOptions): Promise<Host> {
  const dsMeta = JSON.parse(readFileSync(path.join(options.pluginDist, 'datasource', 'plugin.json'), 'utf8')) as {
    routes: Route[];
  };
  const datasources: DataSource[] = [];
  const proxied: Host['proxied'] = [];
  let nextId = 1;
  const add = (
    jsonData: Record<string, unknown>,
    secureJsonData: Record<string, string>,
    name = 'Magnificent Worldwide Voice Agent',
  ) => {
    const ds: DataSource = {
      id: nextId,
      uid: `voiceagent-${nextId++}`,
      name,
      type: DS_TYPE,
      access: 'proxy',
      jsonData,
      secureJsonData,
    };
    datasources.push(ds);
    return ds;
  };
  if (options.datasource) {
    add({ url: options.datasource.url }, { apiToken: options.datasource.apiToken });
  }
  // What the browser may see of a data source: never secureJsonData, only which secrets are set.
  const publicView = (ds: DataSource) => ({
    ...ds,
    secureJsonData: undefined,
    secureJsonFields: Object.fromEntries(Object.keys(ds.secureJsonData).map((k) => [k, true])),
  });
  const instanceSettings = (ds: DataSource) => ({
    id: ds.id,
    uid: ds.uid,
    name: ds.name,
    type: ds.type,
    access: ds.access,
    url: `/api/datasources/proxy/uid/${ds.uid}`,
    jsonData: ds.jsonData,
    readOnly: false,
    meta: { ...dsMeta, id: DS_TYPE, type: 'datasource', module: `public/plugins/${APP_ID}/datasource/module.js` },
  });

  const proxy = async (req: http.IncomingMessage, res: http.ServerResponse, ds: DataSource, rest: string) => {
    const route = dsMeta.routes.find((r) => rest === r.path || rest.startsWith(`${r.path}/`));
    if (!route) {
      sendJson(res, 404, { message: `no proxy route matches ${rest}` });
      return;
    }
    const target = new URL(render(route.url, ds).replace(/\/$/, '') + rest.slice(route.path.length));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      // Grafana's proxy drops the browser's cookies and auth; the route adds its own headers.
      if (typeof v === 'string' && !['host', 'cookie', 'authorization', 'connection'].includes(k)) {
        headers[k] = v;
      }
    }
    for (const h of route.headers ?? []) {
      headers[h.name] = render(h.content, ds);
    }
    const body = await readBody(req);
    const upstream = http.request(target, { method: req.method, headers }, (up) => {
      proxied.push({ method: req.method ?? 'GET', path: target.pathname, status: up.statusCode ?? 0 });
      res.writeHead(up.statusCode ?? 502, { 'Content-Type': up.headers['content-type'] ?? 'application/json' });
      up.pipe(res);
    });
    upstream.on('error', (e) => sendJson(res, 502, { message: `proxy: ${e.message}` }));
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const p = decodeURIComponent(url.pathname);
    const handle = async () => {
      let m: RegExpMatchArray | null;
      if ((m = p.match(/^\/api\/datasources\/proxy\/uid\/([^/]+)\/(.+)$/))) {
        const ds = datasources.find((d) => d.uid === m![1]);
        return ds ? proxy(req, res, ds, m[2]! + url.search) : sendJson(res, 404, { message: 'data source not found' });
      }
      if (p === '/api/host/datasources') {
        return sendJson(res, 200, datasources.map(instanceSettings));
      }
      if ((m = p.match(/^\/api\/datasources\/uid\/([^/]+)$/))) {
        const ds = datasources.find((d) => d.uid === m![1]);
        if (!ds) {
          return sendJson(res, 404, { message: 'Data source not found' });
        }
        if (req.method === 'PUT') {
          const body = JSON.parse((await readBody(req)).toString() || '{}');
          ds.jsonData = body.jsonData ?? ds.jsonData;
          ds.secureJsonData = { ...ds.secureJsonData, ...(body.secureJsonData ?? {}) };
          return sendJson(res, 200, { message: 'Datasource updated', datasource: publicView(ds) });
        }
        return sendJson(res, 200, publicView(ds));
      }
      if (p === '/api/datasources' && req.method === 'POST') {
        const body = JSON.parse((await readBody(req)).toString() || '{}');
        const ds = add(body.jsonData ?? {}, body.secureJsonData ?? {}, body.name);
        return sendJson(res, 200, { message: 'Datasource added', datasource: publicView(ds) });
      }
      if (p.startsWith('/api/')) {
        return sendJson(res, 404, { message: 'not found' });
      }
      const pluginPrefix = `/public/plugins/${APP_ID}/`;
      if (p.startsWith(pluginPrefix)) {
        const file = path.join(options.pluginDist, path.normalize(p.slice(pluginPrefix.length)));
        if (file.startsWith(options.pluginDist) && serveFile(res, file)) {
          return undefined;
        }
        return sendJson(res, 404, { message: 'no such plugin file' });
      }
      const file = path.join(options.hostDist, path.normalize(p));
      if (file.startsWith(options.hostDist) && p !== '/' && serveFile(res, file)) {
        return undefined;
      }
      serveFile(res, path.join(options.hostDist, 'index.html'));
      return undefined;
    };
    handle().catch((e) => sendJson(res, 500, { message: String(e) }));
  });
  await new Promise<void>((resolve) => server.listen(options.port, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    datasources,
    proxied,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
