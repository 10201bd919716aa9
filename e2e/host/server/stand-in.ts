/**
 * The Grafana stand-in: starts like grafana-server from the same inputs the container gets
 * (environment, grafana.ini, provisioning, plugins directory) and serves the part of Grafana's HTTP
 * API and page that the Magnificent Worldwide app uses. Start-up fails, as Grafana's does, on a
 * provisioning error; what Grafana would refuse to load is reported by /api/plugins/errors.
 *
 * createStandIn() only builds the request handler, so the same stand-in can be mounted in another
 * server (a preview) or listen on its own (tests, a container: see main.ts).
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { buildBootData, pluginMeta } from './boot-data';
import { ContainerFs } from './container-fs';
import { grafanaAsset } from './grafana-assets';
import { forward, planProxyRequest } from './datasource-proxy';
import { type ApiAnswer, DataSourceStore } from './datasource-store';
import { type GrafanaConfig, loadGrafanaConfig, resolveFileEnv, IMAGE_ENV } from './grafana-config';
import type { ExpansionContext } from './interpolate';
import { loadPlugins, type PluginRegistry, sharedModules } from './plugins';
import {
  type ContactPoint,
  type ProvisionedApp,
  type ProvisionedDashboard,
  readApps,
  readContactPoints,
  readDashboards,
  readDatasources,
} from './provisioning';

export class StartupError extends Error {}

export interface StandInOptions {
  /** The grafana container's environment (compose `environment`, k8s `env`). */
  env: Record<string, string | undefined>;
  /** How container paths map to this machine (identity when running as the container). */
  fs: ContainerFs;
  /** The Grafana version the deployment pins (the image tag); the stand-in behaves as that release. */
  grafanaVersion: string;
  /** The built stand-in page (e2e/host/dist). */
  pageDist: string;
  /** The container network's names (compose service DNS): "voice-agent-api:5000" → "127.0.0.1:5101". */
  hosts?: Record<string, string>;
  log?: (line: string) => void;
  /** Not Grafana's: a label the page shows in its top bar (the development preview says what it is). */
  previewLabel?: string;
}

export interface ProxiedRequest {
  method: string;
  uid: string;
  proxyPath: string;
  status: number;
  target: string | null;
  renderedRouteUrl?: string;
}

export interface StandIn {
  config: GrafanaConfig;
  registry: PluginRegistry;
  datasources: DataSourceStore;
  apps: ProvisionedApp[];
  dashboards: ProvisionedDashboard[];
  contactPoints: ContactPoint[];
  /** Every data-source proxy request (method, path, status, target; never headers). */
  proxied: ProxiedRequest[];
  handler: http.RequestListener;
  /** Listens on `port` (default: the configured http_port) on `host` (default: http_addr or 127.0.0.1). */
  listen: (port?: number, host?: string) => Promise<{ url: string; close: () => Promise<void> }>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function createStandIn(options: StandInOptions): StandIn {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const env = resolveFileEnv({ ...IMAGE_ENV, ...options.env }, options.fs);
  const config = loadGrafanaConfig({ env, fs: options.fs, hostname: os.hostname() });
  if (!config.configFile.found) {
    log(
      `stand-in: nothing at ${config.configFile.path}: Grafana runs on the image's sample grafana.ini (all defaults)`,
    );
  }
  const ctx: ExpansionContext = { env, readFile: (p) => options.fs.readText(p), hostname: os.hostname() };

  const registry = loadPlugins({
    fs: options.fs,
    pluginsDir: config.paths.plugins,
    appMode: config.appMode,
    allowUnsigned: config.allowUnsigned,
    grafanaVersion: options.grafanaVersion,
  });
  for (const e of registry.errors)
    log(`logger=plugin.signature.validator level=warn msg="${e.message}" pluginId=${e.pluginId}`);
  for (const w of registry.warnings) log(`stand-in: ${w}`);

  const provisioningDir = (sub: string) => path.posix.join(config.paths.provisioning, sub);
  let apps: ProvisionedApp[];
  let dashboards: ProvisionedDashboard[];
  let contactPoints: ContactPoint[];
  let datasources: DataSourceStore;
  try {
    datasources = new DataSourceStore(readDatasources(options.fs, provisioningDir('datasources'), ctx));
    apps = readApps(options.fs, provisioningDir('plugins'), ctx, (id) => registry.plugins.has(id));
    contactPoints = readContactPoints(options.fs, provisioningDir('alerting'), ctx);
    dashboards = readDashboards(options.fs, provisioningDir('dashboards'), ctx);
  } catch (error) {
    // grafana-server logs "Failed to provision …" and exits 1.
    throw new StartupError((error as Error).message);
  }

  const proxied: ProxiedRequest[] = [];
  const shared = sharedModules(options.grafanaVersion);
  const pageDist = path.resolve(options.pageDist);

  const bootData = () =>
    buildBootData({
      config,
      grafanaVersion: options.grafanaVersion,
      registry,
      datasources: datasources.list(),
      apps,
      sharedModules: shared,
      warnings: registry.warnings,
      previewLabel: options.previewLabel,
    });

  const send = (res: http.ServerResponse, answer: ApiAnswer) => {
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  };
  const notFound = (res: http.ServerResponse, message = 'Not found') => send(res, { status: 404, body: { message } });
  const logoOf = (type: string) => {
    const p = registry.plugins.get(type);
    return p?.json.info.logos?.small ? `${p.baseUrl}/${p.json.info.logos.small}` : 'public/img/icn-datasource.svg';
  };

  const serveFile = (res: http.ServerResponse, file: string | null): boolean => {
    if (!file || !existsSync(file) || !statSync(file).isFile()) return false;
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
    return true;
  };

  const api = async (req: http.IncomingMessage, res: http.ServerResponse, p: string, url: URL): Promise<void> => {
    const method = req.method ?? 'GET';
    let m: RegExpMatchArray | null;
    if ((m = p.match(/^\/api\/datasources\/proxy\/uid\/([^/]+)(?:\/(.*))?$/))) {
      const ds = datasources.byUid(m[1]!);
      if (!ds) return notFound(res, 'Unable to find datasource');
      const plugin = registry.plugins.get(ds.type);
      if (!plugin) return send(res, { status: 500, body: { message: 'Unable to find datasource plugin' } });
      const plan = planProxyRequest({
        ds,
        routes: plugin.json.routes ?? [],
        method,
        proxyPath: m[2] ?? '',
        query: url.search.slice(1),
        headers: req.headers,
        grafanaVersion: options.grafanaVersion,
      });
      for (const line of plan.logs) log(`logger=data-proxy-log level=error msg="${line}"`);
      const result = await forward(req, res, plan, await readBody(req), options.hosts);
      proxied.push({ method, uid: ds.uid, proxyPath: m[2] ?? '', ...result, renderedRouteUrl: plan.renderedRouteUrl });
      return;
    }
    if (p === '/api/health') {
      return send(res, { status: 200, body: { database: 'ok', version: options.grafanaVersion, commit: 'stand-in' } });
    }
    if (p === '/api/frontend/settings') return send(res, { status: 200, body: bootData().settings });
    if (p === '/api/datasources' && method === 'GET') {
      return send(res, { status: 200, body: datasources.list().map((d) => datasources.dto(d, logoOf(d.type))) });
    }
    if (p === '/api/datasources' && method === 'POST') {
      const result = datasources.add(await readJson(req));
      if ('status' in result) return send(res, result);
      const dto = datasources.dto(result.record, logoOf(result.record.type));
      return send(res, {
        status: 200,
        body: { message: 'Datasource added', id: result.record.id, name: result.record.name, datasource: dto },
      });
    }
    if ((m = p.match(/^\/api\/datasources\/uid\/([^/]+)$/))) {
      const uid = m[1]!;
      if (method === 'PUT') {
        const result = datasources.update(uid, await readJson(req));
        if ('status' in result) return send(res, result);
        const dto = datasources.dto(result.record, logoOf(result.record.type));
        return send(res, {
          status: 200,
          body: { message: 'Datasource updated', id: result.record.id, name: result.record.name, datasource: dto },
        });
      }
      if (method === 'DELETE') return send(res, datasources.remove(uid));
      const ds = datasources.byUid(uid);
      return ds
        ? send(res, { status: 200, body: datasources.dto(ds, logoOf(ds.type)) })
        : notFound(res, 'Data source not found');
    }
    if (p === '/api/plugins/errors')
      return send(res, { status: 200, body: registry.errors.map(({ message: _m, ...e }) => e) });
    if (p === '/api/plugins') {
      return send(res, {
        status: 200,
        body: [...registry.plugins.values()].map((pl) => ({ ...pluginMeta(pl), enabled: true })),
      });
    }
    if ((m = p.match(/^\/api\/plugins\/([^/]+)\/settings$/))) {
      const plugin = registry.plugins.get(m[1]!);
      if (!plugin) return notFound(res, 'Plugin not found, no installed plugin with that id');
      const app = apps.find((a) => a.pluginId === plugin.id);
      return send(res, {
        status: 200,
        body: {
          ...pluginMeta(plugin),
          enabled: plugin.type !== 'app' || Boolean(app?.enabled),
          pinned: Boolean(app),
          jsonData: app?.jsonData ?? {},
          secureJsonFields: Object.fromEntries(Object.keys(app?.secureJsonData ?? {}).map((k) => [k, true])),
          defaultNavUrl: `${config.appSubUrl}/plugins/${plugin.id}/`,
        },
      });
    }
    if ((m = p.match(/^\/api\/dashboards\/uid\/([^/]+)$/))) {
      const d = dashboards.find((x) => x.uid === m![1]);
      if (!d) return notFound(res, 'Dashboard not found');
      return send(res, {
        status: 200,
        body: {
          dashboard: d.json,
          meta: { provisioned: true, canSave: d.allowUiUpdates, folderUid: d.folderUid, folderTitle: d.folder },
        },
      });
    }
    if (p === '/api/search') {
      const body = dashboards.map((d) => ({
        uid: d.uid,
        title: d.title,
        type: 'dash-db',
        folderUid: d.folderUid,
        folderTitle: d.folder,
        url: `${config.appSubUrl}/d/${d.uid}`,
      }));
      return send(res, { status: 200, body });
    }
    if (p === '/api/v1/provisioning/contact-points') {
      return send(res, {
        status: 200,
        body: contactPoints.flatMap((c) => c.receivers.map((r) => ({ ...r, name: c.name, provenance: 'file' }))),
      });
    }
    return notFound(res);
  };

  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    let p = decodeURIComponent(url.pathname);
    // pkg/web (macaron) ServeHTTP with serve_from_sub_path: strings.TrimPrefix(path, appSubUrl), so a
    // path without the prefix is routed too (that is why /api/health answers on both).
    if (config.serveFromSubPath && config.appSubUrl && p.startsWith(config.appSubUrl)) {
      p = p.slice(config.appSubUrl.length) || '/';
    }
    const run = async () => {
      if (p.startsWith('/api/')) return api(req, res, p, url);
      let m: RegExpMatchArray | null;
      if ((m = p.match(/^\/public\/plugins\/([^/]+)\/(.+)$/))) {
        const plugin = registry.plugins.get(m[1]!);
        const rel = path.posix.normalize(m[2]!);
        if (!plugin || rel.startsWith('..') || !serveFile(res, options.fs.resolve(path.posix.join(plugin.dir, rel)))) {
          return notFound(res, 'Plugin file not found');
        }
        return undefined;
      }
      if ((m = p.match(/^\/public\/standin\/(.+)$/))) {
        const file = path.join(pageDist, path.normalize(m[1]!));
        if (!file.startsWith(pageDist) || !serveFile(res, file)) return notFound(res);
        return undefined;
      }
      if (p.startsWith('/public/')) {
        if (!serveFile(res, grafanaAsset(p))) return notFound(res);
        return undefined;
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(indexHtml(config.appSubUrl, bootData()));
      return undefined;
    };
    run().catch((error) => {
      if (error instanceof BadRequest) return send(res, { status: 400, body: { message: error.message } });
      log(`stand-in: ${req.method} ${p}: ${(error as Error).stack ?? error}`);
      if (!res.headersSent) send(res, { status: 500, body: { message: 'Internal Server Error' } });
    });
  };

  const listen = async (port = config.httpPort, host = config.httpAddr || '127.0.0.1') => {
    const server = http.createServer(handler);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    const address = server.address() as AddressInfo;
    return {
      url: `http://${host}:${address.port}${config.serveFromSubPath ? config.appSubUrl : ''}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    };
  };

  return { config, registry, datasources, apps, dashboards, contactPoints, proxied, handler, listen };
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** web.Bind: a body that is not JSON is a 400 "bad request data". */
async function readJson<T>(req: http.IncomingMessage): Promise<T> {
  const text = (await readBody(req)).toString();
  try {
    return (text ? JSON.parse(text) : {}) as T;
  } catch {
    throw new BadRequest('bad request data');
  }
}

class BadRequest extends Error {}

/** public/views/index.html: <base href> is the sub path, so every relative URL stays below it. */
function indexHtml(appSubUrl: string, bootData: unknown): string {
  const json = JSON.stringify(bootData).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width" />
    <base href="${appSubUrl}/" />
    <title>Grafana</title>
    <script>window.grafanaBootData = ${json};</script>
  </head>
  <body class="theme-dark app-grafana">
    <div id="reactRoot"></div>
    <script type="module" src="public/standin/assets/standin.js"></script>
  </body>
</html>
`;
}
