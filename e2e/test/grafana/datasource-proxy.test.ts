/** The data-source proxy plans and forwards requests as pkg/api/pluginproxy/ds_proxy.go does. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { forward, planProxyRequest } from '../../host/server/datasource-proxy';

const routes = [
  {
    path: 'voiceagent',
    url: '{{ .JsonData.url }}',
    headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
  },
];
const plan = (jsonData: Record<string, unknown>, proxyPath = 'voiceagent/api/grafana/query', extra = {}) =>
  planProxyRequest({
    ds: { url: '', jsonData, secureJsonData: { apiToken: 'tok' } },
    routes,
    method: 'POST',
    proxyPath,
    query: '',
    headers: { cookie: 'grafana_session=1', 'x-grafana-org-id': '1', 'content-type': 'application/json' },
    grafanaVersion: '12.4.10',
    ...extra,
  });

describe('data-source proxy', () => {
  it('renders the route URL and header, joins the rest of the path, drops cookies', () => {
    const p = plan({ url: 'http://127.0.0.1:5000/base' });
    expect(p.target?.toString()).toBe('http://127.0.0.1:5000/base/api/grafana/query');
    expect(p.headers.authorization).toBe('Bearer tok');
    expect(p.headers.cookie).toBeUndefined();
    expect(p.headers['user-agent']).toBe('Grafana/12.4.10');
  });

  it('cannot send a request whose route URL rendered as <no value> (Grafana answers 502)', () => {
    const p = plan({});
    expect(p.renderedRouteUrl).toBe('<no value>');
    expect(p.target).toBeNull();
  });

  it('uses the data source URL when no route matches', () => {
    const p = planProxyRequest({
      ds: { url: 'api.internal:9000', jsonData: {}, secureJsonData: {} },
      routes,
      method: 'GET',
      proxyPath: 'other/path',
      query: 'a=1',
      headers: {},
      grafanaVersion: '12.4.10',
    });
    expect(p.route).toBeUndefined();
    expect(p.target?.toString()).toBe('http://api.internal:9000/other/path?a=1');
    expect(p.headers.authorization).toBeUndefined();
  });

  it('logs a route template that does not parse and skips that part, as ApplyRoute does', () => {
    const p = planProxyRequest({
      ds: { url: 'http://fallback:1', jsonData: {}, secureJsonData: {} },
      routes: [{ path: 'x', url: '{{ .JsonData.url ' }],
      method: 'GET',
      proxyPath: 'x/y',
      query: '',
      headers: {},
      grafanaVersion: '12.4.10',
    });
    expect(p.logs[0]).toMatch(/Error interpolating proxy url/);
    expect(p.target?.toString()).toBe('http://fallback:1/x/y');
  });

  describe('forwarding', () => {
    let upstream: http.Server;
    let base: string;
    const seen: Array<{ url?: string; headers: http.IncomingHttpHeaders }> = [];
    beforeAll(async () => {
      upstream = http.createServer((req, res) => {
        seen.push({ url: req.url, headers: req.headers });
        if (req.url?.includes('denied')) return res.writeHead(401).end('nope');
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'x=1' }).end('{"ok":true}');
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => upstream.close(() => r())));

    async function through(p: ReturnType<typeof plan>) {
      const front = http.createServer((req, res) => void forward(req, res, p, Buffer.from('{}')));
      await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
      const r = await fetch(`http://127.0.0.1:${(front.address() as AddressInfo).port}/`, {
        method: 'POST',
        body: '{}',
      });
      const out = { status: r.status, body: await r.text(), setCookie: r.headers.get('set-cookie') };
      await new Promise<void>((res) => front.close(() => res()));
      return out;
    }

    it('adds the token server-side and strips Set-Cookie from the answer', async () => {
      const out = await through(plan({ url: base }));
      expect(out).toEqual({ status: 200, body: '{"ok":true}', setCookie: null });
      expect(seen.at(-1)!.headers.authorization).toBe('Bearer tok');
      expect(seen.at(-1)!.url).toBe('/api/grafana/query');
    });

    it('turns an upstream 401 into 400 "Authentication to data source failed"', async () => {
      const out = await through(plan({ url: `${base}/denied` }));
      expect(out.status).toBe(400);
      expect(out.body).toBe('Authentication to data source failed');
    });

    it('answers 502 with an empty body when the route URL is <no value>', async () => {
      expect(await through(plan({}))).toEqual({ status: 502, body: '', setCookie: null });
    });
  });
});
