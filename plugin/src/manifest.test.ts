/**
 * The plugin's manifests and its production build, as Grafana reads them: every plugin.json
 * (src/ and dist/) against the rules of Grafana's published plugin.json schema, the nested
 * plugins declared in the app's `includes`, and dist/ laid out as Grafana mounts it.
 * Needs `npm run build -w plugin` first (CI builds before testing).
 */
import Ajv from 'ajv';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PLUGIN_JSON_RULES as rules } from './plugin-json.rules';

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const read = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

const MANIFESTS = [
  { dir: '.', id: 'magnificentworldwide-voiceagent-app', type: 'app' },
  { dir: 'datasource', id: 'magnificentworldwide-voiceagent-datasource', type: 'datasource' },
  { dir: 'panels/beast-mode', id: 'magnificentworldwide-beastmode-panel', type: 'panel' },
];

// Grafana's patterns escape '-', which is not valid in unicode mode.
const validate = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false }).compile(rules);

describe.each(['src', 'dist'])('%s plugin.json files', (where) => {
  beforeAll(() => {
    if (where === 'dist' && !existsSync(DIST)) {
      throw new Error('plugin/dist is missing: run `npm run build -w plugin` first');
    }
  });

  it.each(MANIFESTS)('$dir/plugin.json follows the schema rules', ({ dir, id, type }) => {
    const manifest = read(path.join(ROOT, where, dir, 'plugin.json'));
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(manifest.id).toBe(id);
    expect(manifest.type).toBe(type);
    // Each logo the manifest names exists next to it.
    for (const logo of Object.values<string>(manifest.info.logos)) {
      expect(existsSync(path.join(ROOT, where, dir, logo))).toBe(true);
    }
  });
});

describe('the schema rules catch what Grafana would reject', () => {
  const app = read(path.join(ROOT, 'src/plugin.json'));
  it.each([
    ['an id without a type suffix', { ...app, id: 'magnificentworldwide-voiceagent' }],
    ['upper case in the id', { ...app, id: 'Magnificent-voiceagent-app' }],
    ['a missing grafanaDependency', { ...app, dependencies: {} }],
    ['an unknown include type', { ...app, includes: [{ type: 'widget', name: 'x' }] }],
    ['no keywords', { ...app, info: { ...app.info, keywords: [] } }],
  ])('rejects %s', (_, manifest) => {
    expect(validate(manifest)).toBe(false);
  });
});

describe('the app', () => {
  const app = read(path.join(ROOT, 'src/plugin.json'));

  it('declares its nested data source and panel in includes, and they exist', () => {
    const nested = app.includes.filter((i: { type: string }) => i.type !== 'page');
    expect(nested.map((i: { type: string }) => i.type)).toEqual(['datasource', 'panel']);
    expect(nested.map((i: { name: string }) => i.name)).toEqual([
      read(path.join(ROOT, 'src/datasource/plugin.json')).name,
      read(path.join(ROOT, 'src/panels/beast-mode/plugin.json')).name,
    ]);
  });

  it('has one page per route, under /a/<id>/, and one default page', () => {
    const pages = app.includes.filter(
      (i: { type: string; path: string }) => i.type === 'page' && i.path.startsWith('/a/')
    );
    expect(pages.map((p: { path: string }) => p.path.split('/').pop())).toEqual([
      'overview',
      'beast-mode',
      'calls',
      'learning',
      'operations',
    ]);
    expect(pages.filter((p: { defaultNav?: boolean }) => p.defaultNav)).toHaveLength(1);
  });
});

describe('the data source proxy route', () => {
  const ds = read(path.join(ROOT, 'src/datasource/plugin.json'));
  it('sends requests to jsonData.url with the token from secureJsonData', () => {
    expect(ds.routes).toEqual([
      {
        path: 'voiceagent',
        url: '{{ .JsonData.url }}',
        headers: [{ name: 'Authorization', content: 'Bearer {{ .SecureJsonData.apiToken }}' }],
      },
    ]);
    expect(ds.backend).toBe(false);
  });
});

describe('dist/ as Grafana mounts it', () => {
  it.each(MANIFESTS)('$dir has module.js (AMD) and plugin.json with the version filled in', ({ dir }) => {
    const module = readFileSync(path.join(DIST, dir, 'module.js'), 'utf8');
    // Grafana loads plugins as AMD modules with its shared packages as dependencies.
    expect(module).toMatch(/define\(\[[^\]]*"@grafana\/data"/);
    const manifest = read(path.join(DIST, dir, 'plugin.json'));
    expect(manifest.info.version).toBe(read(path.join(ROOT, 'package.json')).version);
    expect(manifest.info.updated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(JSON.stringify(manifest)).not.toContain('%PLUGIN_ID%');
  });

  it('ships README, LICENSE, CHANGELOG, the logo and the bundled fonts', () => {
    for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md', 'img/logo.svg']) {
      expect(existsSync(path.join(DIST, file))).toBe(true);
    }
    const files = readdirSync(DIST);
    expect(files.filter((f) => f.endsWith('.woff2')).length).toBeGreaterThanOrEqual(6);
    for (const js of files.filter((f) => f.endsWith('.js'))) {
      expect(readFileSync(path.join(DIST, js), 'utf8')).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);
    }
  });

  it('keeps React, @grafana/* and rxjs external (Grafana provides them)', () => {
    const module = readFileSync(path.join(DIST, 'module.js'), 'utf8');
    const deps = JSON.parse(module.match(/define\((\[[^\]]*\])/)![1]);
    expect(deps).toEqual(expect.arrayContaining(['react', '@grafana/ui', '@grafana/runtime', '@grafana/data', 'rxjs']));
  });
});
