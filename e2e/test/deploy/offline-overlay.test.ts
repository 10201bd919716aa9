/**
 * deploy/compose/offline.yml stays a small overlay: it swaps images for stand-ins built from
 * deploy/images/<name>/ (never a pulled image), publishes nginx on 127.0.0.1 only, drops
 * Grafana explicitly, and changes nothing else but the documented overrides. The overlay runs
 * for real in the compose suite (e2e/test/compose); this guards its shape in `npm test`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';
import { repoPath } from './support/paths';

/** Compose's merge tags, kept visible: {'!reset': value} / {'!override': value}. */
const tags: Tags = ['!reset', '!override'].flatMap((tag) => [
  { tag, identify: () => false, resolve: (v: unknown) => ({ [tag]: v === '' ? null : (v ?? null) }) },
  {
    tag,
    collection: 'map' as const,
    identify: () => false,
    resolve: (v: unknown) => ({ [tag]: (v as { toJSON(): unknown }).toJSON() }),
  },
  {
    tag,
    collection: 'seq' as const,
    identify: () => false,
    resolve: (v: unknown) => ({ [tag]: (v as { toJSON(): unknown }).toJSON() }),
  },
]) as Tags;

type Service = Record<string, unknown> & {
  image?: string;
  build?: string | { context?: string; args?: Record<string, string> };
};
const overlay = parse(readFileSync(repoPath('deploy/compose/offline.yml'), 'utf8'), { customTags: tags }) as {
  services: Record<string, Service | { '!reset': null }>;
};

/** Per service: the keys the overlay may set besides image/build (each one is in deploy/README.md). */
const ALLOWED: Record<string, string[]> = {
  'voice-agent-api': ['environment', 'extra_hosts'],
  backup: [],
  nginx: ['ports', 'environment', 'networks', 'depends_on'],
  certbot: ['environment', 'volumes', 'depends_on'],
  pebble: ['restart', 'environment', 'volumes', 'networks', 'healthcheck', 'deploy'],
  postgres: [],
  mongodb: ['entrypoint', 'environment', 'healthcheck'],
  neo4j: [],
  chroma: [],
  redis: [],
  prometheus: [],
  alertmanager: [],
};

describe('deploy/compose/offline.yml', () => {
  const services = overlay.services;

  test('drops Grafana explicitly (no image or stand-in for it here)', () => {
    expect(services.grafana).toEqual({ '!reset': null });
  });

  test('every other service it touches is known, with only the documented keys', () => {
    const names = Object.keys(services).filter((n) => n !== 'grafana');
    expect(names.sort()).toEqual(Object.keys(ALLOWED).sort());
    for (const n of names) {
      const extra = Object.keys(services[n]!).filter((k) => k !== 'image' && k !== 'build');
      expect({ service: n, keys: extra.sort() }).toEqual({ service: n, keys: [...ALLOWED[n]!].sort() });
    }
  });

  test('every image is a local mwva-offline/ build from deploy/images or api.Dockerfile', () => {
    for (const [n, s] of Object.entries(services)) {
      if (n === 'grafana') continue;
      const svc = s as Service;
      expect(svc.image).toMatch(/^mwva-offline\/[a-z0-9-]+:[0-9][\w.-]*|^mwva-offline\/voice-agent-api:local$/);
      const context = typeof svc.build === 'string' ? svc.build : svc.build?.context;
      if (context) expect(existsSync(repoPath(context, 'Dockerfile'))).toBe(true);
      else expect(svc.build).toMatchObject({ args: { NODE_IMAGE: expect.stringMatching(/^mwva-offline\/node:/) } });
    }
  });

  test('nginx publishes on 127.0.0.1 only, replacing the production ports', () => {
    const ports = (services.nginx as Service).ports as { '!override': string[] };
    expect(ports['!override']).toHaveLength(2);
    for (const p of ports['!override']) expect(p).toMatch(/^127\.0\.0\.1:/);
  });

  test('no secret value is written in the overlay', () => {
    const text = readFileSync(repoPath('deploy/compose/offline.yml'), 'utf8');
    expect(text).not.toMatch(/(PASSWORD|TOKEN|SECRET)[A-Z_]*:\s*['"]?[^$\s'"]/);
  });
});
