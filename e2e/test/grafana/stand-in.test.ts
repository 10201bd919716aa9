/**
 * The stand-in starts and answers as grafana-server does for the same container inputs. Each case
 * builds a small plugins folder and provisioning of its own: these test the stand-in's semantics;
 * the repository's own files are exercised in deployment.test.ts and the browser suite.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ContainerFs } from '../../host/server/container-fs';
import { sharedModules } from '../../host/server/plugins';
import { createStandIn, type StandInOptions, StartupError } from '../../host/server/stand-in';

const APP = 'myorg-test-app';
const DS = 'myorg-test-datasource';
let root: string;

function write(rel: string, content: string) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), content);
}

function fixture(options: { grafanaDependency?: string; contactPointUrl?: string; editable?: boolean } = {}) {
  root = mkdtempSync(path.join(os.tmpdir(), 'standin-'));
  const deps = { grafanaDependency: options.grafanaDependency ?? '>=12.3.0', plugins: [] };
  write(
    `plugins/${APP}/plugin.json`,
    JSON.stringify({
      id: APP,
      type: 'app',
      name: 'Test app',
      info: { version: '1.0.0', logos: {} },
      dependencies: deps,
      includes: [{ type: 'page', name: 'Home', path: `/a/${APP}/home`, addToNav: true, defaultNav: true }],
    }),
  );
  write(`plugins/${APP}/module.js`, 'define([], function () { return {}; });');
  write(
    `plugins/${APP}/datasource/plugin.json`,
    JSON.stringify({
      id: DS,
      type: 'datasource',
      name: 'Test DS',
      info: { version: '1.0.0' },
      dependencies: deps,
      routes: [
        {
          path: 'api',
          url: '{{ .JsonData.url }}',
          headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.token }}' }],
        },
      ],
    }),
  );
  write('provisioning/plugins/app.yaml', `apiVersion: 1\napps:\n  - type: ${APP}\n    org_id: 1\n`);
  write(
    'provisioning/datasources/ds.yaml',
    `apiVersion: 1\ndatasources:\n  - name: Test\n    uid: test-ds\n    type: ${DS}\n    access: proxy\n    isDefault: true\n    editable: ${options.editable ?? false}\n    jsonData:\n      url: \${UPSTREAM_URL}\n    secureJsonData:\n      token: \${TOKEN}\n`,
  );
  write(
    'provisioning/alerting/cp.yaml',
    `apiVersion: 1\ncontactPoints:\n  - orgId: 1\n    name: hook\n    receivers:\n      - uid: hook-1\n        type: webhook\n        settings:\n          url: \${HOOK_URL}\n`,
  );
  write('grafana.ini', '[server]\nroot_url = http://localhost:3000/grafana/\nserve_from_sub_path = true\n');
  write('secrets/admin', 'hunter2\n');
  return {
    contactPointUrl: options.contactPointUrl ?? 'http://hooks.example/x',
  };
}

function options(env: Record<string, string> = {}, mounts = true): StandInOptions {
  return {
    env: { UPSTREAM_URL: 'http://127.0.0.1:9/none', TOKEN: 'tok', HOOK_URL: 'http://hooks.example/x', ...env },
    fs: new ContainerFs([
      { target: '/etc/grafana/provisioning', source: path.join(root, 'provisioning') },
      { target: '/var/lib/grafana/plugins', source: path.join(root, 'plugins') },
      { target: '/run/secrets', source: path.join(root, 'secrets') },
      ...(mounts ? [{ target: '/etc/grafana/grafana.ini', source: path.join(root, 'grafana.ini') }] : []),
    ]),
    grafanaVersion: '12.4.10',
    pageDist: path.join(root, 'page'),
    log: () => {},
  };
}

const ALLOW = { GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: `${APP},${DS}` };

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('start-up', () => {
  it('exits like Grafana when the provisioned app is unsigned and not allowed', () => {
    fixture();
    expect(() => createStandIn(options())).toThrow(
      new StartupError('app provisioning error: plugin not installed: "myorg-test-app"'),
    );
  });

  it('loads unsigned plugins listed in allow_loading_unsigned_plugins, or all of them in development mode', () => {
    fixture();
    expect(createStandIn(options(ALLOW)).registry.errors).toEqual([]);
    expect(createStandIn(options({ GF_DEFAULT_APP_MODE: 'development' })).registry.plugins.has(DS)).toBe(true);
  });

  it('reports each unsigned plugin it refuses as signatureMissing', () => {
    fixture();
    write('provisioning/plugins/app.yaml', 'apiVersion: 1\napps: []\n');
    write('provisioning/datasources/ds.yaml', 'apiVersion: 1\ndatasources: []\n');
    const standIn = createStandIn(options({ GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: APP }));
    expect(standIn.registry.errors).toEqual([
      { pluginId: DS, errorCode: 'signatureMissing', message: `plugin '${DS}' has no signature` },
    ]);
  });

  it('accepts a manifest whose hashes match, and refuses a modified plugin', () => {
    fixture();
    const manifest = () => {
      const files: Record<string, string> = {};
      const walk = (dir: string, rel = '') => {
        for (const name of readdirSync(dir)) {
          const p = path.join(dir, name);
          const r = rel ? `${rel}/${name}` : name;
          if (statSync(p).isDirectory()) walk(p, r);
          else if (r !== 'MANIFEST.txt') files[r] = createHash('sha256').update(readFileSync(p)).digest('hex');
        }
      };
      walk(path.join(root, 'plugins', APP));
      const body = JSON.stringify({ plugin: APP, version: '1.0.0', files });
      write(
        `plugins/${APP}/MANIFEST.txt`,
        `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${body}\n-----BEGIN PGP SIGNATURE-----\n\nx\n-----END PGP SIGNATURE-----\n`,
      );
    };
    manifest();
    expect(createStandIn(options()).registry.plugins.get(DS)?.signature).toBe('valid');
    write(`plugins/${APP}/module.js`, '/* changed */');
    expect(() => createStandIn(options())).toThrow(/plugin not installed/);
  });

  it('fails like Grafana on a contact point that does not validate', () => {
    fixture();
    expect(() => createStandIn(options({ ...ALLOW, HOOK_URL: '' }))).toThrow(
      /^Failed to provision alerting: .*failed to validate integration "hook" \(UID hook-1\) of type "webhook": required field 'url' is not specified$/,
    );
  });

  it('warns when the Grafana version does not satisfy grafanaDependency, and shares the modules that release shares', () => {
    fixture({ grafanaDependency: '>=12.3.0' });
    const standIn = createStandIn({ ...options(ALLOW), grafanaVersion: '12.2.1' });
    expect(standIn.registry.warnings[0]).toMatch(/grafanaDependency ">=12.3.0", which Grafana 12.2.1 does not satisfy/);
    expect(sharedModules('12.2.1')).not.toContain('react/jsx-runtime');
    expect(sharedModules('12.2.5')).toContain('react/jsx-runtime');
    expect(sharedModules('12.4.10')).toContain('react/jsx-runtime');
  });
});

describe('configuration', () => {
  it('reads grafana.ini only at GF_PATHS_CONFIG; without it Grafana runs on defaults', () => {
    fixture();
    expect(createStandIn(options(ALLOW)).config).toMatchObject({ appSubUrl: '/grafana', serveFromSubPath: true });
    const defaults = createStandIn(options(ALLOW, false)).config;
    expect(defaults).toMatchObject({
      configFile: { found: false },
      appSubUrl: '',
      serveFromSubPath: false,
      rootUrl: 'http://localhost:3000/',
    });
  });

  it('applies GF_<SECTION>_<KEY> over grafana.ini and reads GF_<…>__FILE like the image does', () => {
    fixture();
    const config = createStandIn(
      options({
        ...ALLOW,
        GF_SERVER_ROOT_URL: 'https://voice.example.com/grafana/',
        GF_SECURITY_ADMIN_USER__FILE: '/run/secrets/admin',
      }),
    ).config;
    expect(config.rootUrl).toBe('https://voice.example.com/grafana/');
    expect(config.adminUser).toBe('hunter2');
  });
});

describe('HTTP API', () => {
  let upstream: http.Server;
  let upstreamUrl: string;
  const received: http.IncomingHttpHeaders[] = [];
  beforeAll(async () => {
    upstream = http.createServer((req, res) => {
      received.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

  async function started(editable = false) {
    fixture({ editable });
    const standIn = createStandIn(options({ ...ALLOW, UPSTREAM_URL: upstreamUrl }));
    const server = await standIn.listen(0);
    return { standIn, ...server };
  }

  it('answers 403 when a provisioned data source with editable: false is saved or deleted', async () => {
    const { url, close } = await started(false);
    try {
      const put = await fetch(`${url}/api/datasources/uid/test-ds`, {
        method: 'PUT',
        body: JSON.stringify({ name: 'Test', type: DS, access: 'proxy', jsonData: {} }),
      });
      expect(put.status).toBe(403);
      expect(await put.json()).toEqual({ message: 'Cannot update read-only data source' });
      const del = await fetch(`${url}/api/datasources/uid/test-ds`, { method: 'DELETE' });
      expect([del.status, await del.json()]).toEqual([403, { message: 'Cannot delete read-only data source' }]);
    } finally {
      await close();
    }
  });

  it('saves an editable one and keeps the secret it was not sent again', async () => {
    const { url, close, standIn } = await started(true);
    try {
      const put = await fetch(`${url}/api/datasources/uid/test-ds`, {
        method: 'PUT',
        body: JSON.stringify({ name: 'Test', type: DS, access: 'proxy', jsonData: { url: 'http://x' } }),
      });
      const body = (await put.json()) as {
        datasource: { jsonData: unknown; secureJsonFields: unknown; secureJsonData?: unknown };
      };
      expect(put.status).toBe(200);
      expect(body.datasource).toMatchObject({ jsonData: { url: 'http://x' }, secureJsonFields: { token: true } });
      expect(body.datasource.secureJsonData).toBeUndefined();
      expect(standIn.datasources.byUid('test-ds')!.secureJsonData.token).toBe('tok');
    } finally {
      await close();
    }
  });

  it('serves under the sub path (and without it, as Grafana trims the prefix) with <base href> and no secrets in the page', async () => {
    const { url, close } = await started();
    try {
      expect(url).toMatch(/\/grafana$/);
      expect((await fetch(`${url}/api/health`)).status).toBe(200);
      expect((await fetch(url.replace(/\/grafana$/, '/api/health'))).status).toBe(200);
      const html = await (await fetch(`${url}/a/${APP}/home`)).text();
      expect(html).toContain('<base href="/grafana/" />');
      expect(html).toContain('"url":"/api/datasources/proxy/uid/test-ds"');
      expect(html).not.toContain('"tok"');
    } finally {
      await close();
    }
  });

  it('proxies /api/datasources/proxy/uid/<uid>/<route> with the rendered URL and the token added server-side', async () => {
    const { url, close, standIn } = await started();
    try {
      const r = await fetch(`${url}/api/datasources/proxy/uid/test-ds/api/grafana/query?x=1`, {
        method: 'POST',
        body: '{}',
      });
      expect(await r.json()).toEqual({ path: '/grafana/query?x=1' });
      expect(received.at(-1)!.authorization).toBe('Bearer tok');
      expect(standIn.proxied.at(-1)).toMatchObject({ uid: 'test-ds', status: 200, renderedRouteUrl: upstreamUrl });
    } finally {
      await close();
    }
  });
});
