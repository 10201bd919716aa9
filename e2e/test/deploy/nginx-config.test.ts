/** deploy/nginx templates: what the load balancer promises, checked on the rendered text. */
import { readFileSync } from 'node:fs';
import { readTemplate, renderTemplate, TEMPLATES } from '@mwva/testkit';
import { repoPath } from './support/paths';
import { loadYaml } from './support/yaml-files';

const compose = loadYaml('docker-compose.yml') as { services: { nginx: { environment: Record<string, string> } } };
const env = compose.services.nginx.environment;
const rendered = TEMPLATES.map((t) =>
  renderTemplate(readTemplate(t), {
    ...env,
    NGINX_SERVER_NAME: 'voice.example.com',
    NGINX_TLS_CERT: '/c.pem',
    NGINX_TLS_KEY: '/k.pem',
  }),
).join('\n');

describe('nginx templates', () => {
  test('compose sets every template variable', () => {
    const used = new Set(
      TEMPLATES.flatMap((t) => [...readTemplate(t).matchAll(/\$\{(NGINX_[A-Z0-9_]+)\}/g)].map((m) => m[1]!)),
    );
    for (const v of used) expect(Object.keys(env)).toContain(v);
    expect(rendered).not.toMatch(/\$\{NGINX_/);
  });

  test('passive health checks and bounded retries', () => {
    expect(env.NGINX_API_SERVERS).toMatch(/max_fails=\d+ fail_timeout=\d+s/);
    expect(rendered).toMatch(/proxy_next_upstream error timeout http_502 http_503 non_idempotent;/);
    expect(rendered).toMatch(/webhooks[\s\S]*idempotent by event id|idempotent by event id/);
  });

  test("no http{}-level directive that the nginx image's own nginx.conf already sets (nginx refuses duplicates)", () => {
    // The official image's nginx.conf (also deploy/images/nginx/nginx.conf) sets these in http{}
    // and includes conf.d inside it; the offline stack's first real start failed on one of them.
    const official = readFileSync(repoPath('deploy/images/nginx/nginx.conf'), 'utf8');
    const httpBlock = /http \{([\s\S]*)\}/.exec(official)![1]!;
    const set = [...httpBlock.matchAll(/^\s*([a-z_]+)\s/gm)]
      .map((m) => m[1]!)
      .filter((d) => !['include', 'access_log', 'log_format'].includes(d));
    expect(set).toEqual(expect.arrayContaining(['keepalive_timeout', 'sendfile', 'default_type']));
    const topLevel = rendered
      .split('\n')
      .filter((l) => /^[a-z_]+\s/.test(l))
      .map((l) => l.split(/\s/)[0]!);
    expect(topLevel.filter((d) => set.includes(d))).toEqual([]);
  });

  test('probes have their own upstream: a 503 from /readyz never takes a replica out of the traffic upstream', () => {
    const location = (path: string) => new RegExp(`location = ${path} \\{[\\s\\S]*?\\n    \\}`).exec(rendered)![0];
    for (const probe of ['/readyz', '/healthz']) {
      expect(location(probe)).toMatch(/proxy_pass http:\/\/voice_agent_api_probes;/);
    }
    expect(location('/telnyx/webhooks')).toMatch(/proxy_pass http:\/\/voice_agent_api;/);
    expect(location('/api/calls')).toMatch(/proxy_pass http:\/\/voice_agent_api;/);
    // The same replicas, from the same variable.
    const servers = (name: string) =>
      new RegExp(`upstream ${name} \\{[\\s\\S]*?\\n\\}`).exec(rendered)![0].match(/server \S+/g);
    expect(servers('voice_agent_api_probes')).toEqual(servers('voice_agent_api'));
  });

  test('upstream keep-alive closes before Node (keepAliveTimeout 65 s)', () => {
    const upstream = /upstream voice_agent_api \{[\s\S]*?\n\}/.exec(rendered)![0];
    const seconds = Number(/keepalive_timeout (\d+)s;/.exec(upstream)![1]);
    expect(seconds).toBeLessThan(65);
  });

  test('TLS, HSTS, redirect, ACME webroot, body limits, /api rate limit', () => {
    expect(rendered).toMatch(/return 301 https:\/\/\$host:443\$request_uri;/);
    expect(rendered).toMatch(/location \^~ \/\.well-known\/acme-challenge\//);
    expect(rendered).toMatch(/client_max_body_size 1m;/);
    expect(rendered).toMatch(/limit_req zone=api_per_ip/);
    expect(rendered).toMatch(/include \/etc\/nginx\/snippets\/tls-params.conf;/);
  });
});
