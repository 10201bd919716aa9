/**
 * Plugin discovery and loading as Grafana's plugin manager does it for the plugins directory:
 *  - every folder under GF_PATHS_PLUGINS with a plugin.json (or dist/plugin.json) is a plugin;
 *    plugin.json files further down are its nested plugins (children share its signature);
 *  - signature: no MANIFEST.txt → unsigned; a manifest whose file hashes, id or version do not match
 *    → modified; an unsigned plugin loads only in development mode or when its id is listed in
 *    allow_loading_unsigned_plugins (pkg/plugins/manager/signature/authorizer.go), otherwise it is not
 *    registered and /api/plugins/errors reports `signatureMissing`;
 *  - `dependencies.grafanaDependency` is NOT checked when loading (pkg/plugins has no error code for
 *    it; only the catalog's installer honours it). What breaks on a too-old Grafana is the frontend:
 *    the modules a plugin expects Grafana to share (e.g. react/jsx-runtime, shared from 12.3.0 and the
 *    12.2.5 / 12.1.7 / 12.0.10 / 11.6.11 patches, see sharedModules) are missing. The stand-in
 *    reproduces that and, beyond Grafana, reports the unmet range as a startup problem.
 * What the stand-in cannot do: verify the manifest's PGP signature against Grafana's key.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import type { ContainerFs } from './container-fs';

export type SignatureStatus = 'valid' | 'unsigned' | 'modified' | 'invalid';
export type PluginErrorCode = 'signatureMissing' | 'signatureModified' | 'signatureInvalid';

/** The plugin.json fields Grafana reads here (pkg/plugins/plugins.go JSONData), leniently like Go. */
const pluginJsonSchema = z.looseObject({
  id: z.string().min(1),
  type: z.enum(['app', 'datasource', 'panel', 'renderer', 'secretsmanager']),
  name: z.string(),
  info: z.looseObject({
    version: z.string().optional(),
    logos: z.looseObject({ small: z.string().optional(), large: z.string().optional() }).optional(),
  }),
  dependencies: z.looseObject({ grafanaDependency: z.string().optional() }).optional(),
  includes: z
    .array(
      z.looseObject({
        type: z.string(),
        name: z.string().optional(),
        path: z.string().optional(),
        role: z.string().optional(),
        addToNav: z.boolean().optional(),
        defaultNav: z.boolean().optional(),
        icon: z.string().optional(),
      }),
    )
    .optional(),
  routes: z
    .array(
      z.looseObject({
        path: z.string(),
        method: z.string().optional(),
        url: z.string().optional(),
        reqRole: z.string().optional(),
        headers: z.array(z.object({ name: z.string(), content: z.string() })).optional(),
        urlParams: z.array(z.object({ name: z.string(), content: z.string() })).optional(),
      }),
    )
    .optional(),
});

export type PluginJson = z.infer<typeof pluginJsonSchema>;
export type PluginRoute = NonNullable<PluginJson['routes']>[number];

export interface LoadedPlugin {
  id: string;
  type: PluginJson['type'];
  json: PluginJson;
  /** Container path of the folder holding this plugin.json. */
  dir: string;
  /** URL path below public/ where Grafana serves it: plugins/<root id>/<nested path>. */
  baseUrl: string;
  module: string;
  signature: SignatureStatus;
  parentId?: string;
}

export interface PluginError {
  pluginId: string;
  errorCode: PluginErrorCode;
  message: string;
}

export interface PluginRegistry {
  plugins: Map<string, LoadedPlugin>;
  errors: PluginError[];
  /** Stand-in findings Grafana itself would not print (grafanaDependency). */
  warnings: string[];
}

/**
 * Modules Grafana shares with plugins, per version. Most are shared by every 11.x/12.x; the JSX
 * runtime only by these ranges (@grafana/create-plugin migration "externalize-jsx-runtime").
 */
const JSX_RUNTIME_RANGE = '>=11.6.11 <12 || >=12.0.10 <12.1 || >=12.1.7 <12.2 || >=12.2.5 <12.3 || >=12.3.0';
const ALWAYS_SHARED = [
  'react',
  'react-dom',
  'react-router',
  'react-router-dom',
  'rxjs',
  '@emotion/css',
  '@emotion/react',
  '@grafana/data',
  '@grafana/ui',
  '@grafana/runtime',
  'lodash',
  'moment',
];

export function sharedModules(grafanaVersion: string): string[] {
  const extra = semver.satisfies(grafanaVersion, JSX_RUNTIME_RANGE)
    ? ['react/jsx-runtime', 'react/jsx-dev-runtime']
    : [];
  return [...ALWAYS_SHARED, ...extra];
}

function readPluginJson(fs: ContainerFs, file: string): PluginJson {
  const parsed = pluginJsonSchema.safeParse(JSON.parse(fs.readText(file)));
  if (!parsed.success)
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Every plugin.json below dir (container paths), nearest first. */
function findPluginJsons(fs: ContainerFs, dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const name of fs.list(d)) {
      const p = path.posix.join(d, name);
      if (name === 'node_modules') continue;
      if (fs.isDirectory(p)) walk(p);
      else if (name === 'plugin.json') found.push(p);
    }
  };
  walk(dir);
  return found.sort((a, b) => a.split('/').length - b.split('/').length);
}

/** MANIFEST.txt: a PGP clear-signed JSON; the stand-in checks its content, not the PGP signature. */
function signatureOf(fs: ContainerFs, root: string, rootJson: PluginJson): SignatureStatus {
  const manifestPath = path.posix.join(root, 'MANIFEST.txt');
  if (!fs.exists(manifestPath)) return 'unsigned';
  const text = fs.readText(manifestPath);
  const body = /-----BEGIN PGP SIGNED MESSAGE-----[\s\S]*?\n\n([\s\S]*?)\n-----BEGIN PGP SIGNATURE-----/.exec(
    text,
  )?.[1];
  if (!body) return 'invalid';
  let manifest: { plugin?: string; version?: string; files?: Record<string, string> };
  try {
    manifest = JSON.parse(body);
  } catch {
    return 'invalid';
  }
  if (manifest.plugin !== rootJson.id || manifest.version !== rootJson.info.version) return 'modified';
  const files = manifest.files ?? {};
  const onDisk: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of fs.list(d)) {
      const p = path.posix.join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      if (fs.isDirectory(p)) walk(p, r);
      else if (r !== 'MANIFEST.txt') onDisk.push(r);
    }
  };
  walk(root, '');
  for (const rel of onDisk) {
    const host = fs.resolve(path.posix.join(root, rel))!;
    const sha = createHash('sha256').update(readFileSync(host)).digest('hex');
    if (files[rel] !== sha) return 'modified';
  }
  return Object.keys(files).every((f) => onDisk.includes(f)) ? 'valid' : 'modified';
}

export function loadPlugins(options: {
  fs: ContainerFs;
  pluginsDir: string;
  appMode: 'production' | 'development';
  allowUnsigned: string[];
  grafanaVersion: string;
}): PluginRegistry {
  const registry: PluginRegistry = { plugins: new Map(), errors: [], warnings: [] };
  if (!options.fs.isDirectory(options.pluginsDir)) return registry;
  for (const name of options.fs.list(options.pluginsDir)) {
    const folder = path.posix.join(options.pluginsDir, name);
    if (!options.fs.isDirectory(folder)) continue;
    // "unless the folder contains a subfolder named dist. In that case, Grafana mounts the dist folder"
    const root = options.fs.exists(path.posix.join(folder, 'dist', 'plugin.json'))
      ? path.posix.join(folder, 'dist')
      : folder;
    const jsons = findPluginJsons(options.fs, root);
    if (jsons.length === 0) continue;
    const rootJson = readPluginJson(options.fs, jsons[0]!);
    const signature = signatureOf(options.fs, root, rootJson);
    for (const file of jsons) {
      const json = file === jsons[0] ? rootJson : readPluginJson(options.fs, file);
      const dir = path.posix.dirname(file);
      const nested = path.posix.relative(root, dir);
      const baseUrl = `public/plugins/${rootJson.id}${nested ? `/${nested}` : ''}`;
      const plugin: LoadedPlugin = {
        id: json.id,
        type: json.type,
        json,
        dir,
        baseUrl,
        module: `${baseUrl}/module.js`,
        signature,
        parentId: file === jsons[0] ? undefined : rootJson.id,
      };
      const refusal = authorize(plugin, options);
      if (refusal) {
        registry.errors.push(refusal);
        continue;
      }
      registry.plugins.set(plugin.id, plugin);
      const range = json.dependencies?.grafanaDependency;
      if (range && !semver.satisfies(options.grafanaVersion, range, { includePrerelease: true })) {
        registry.warnings.push(
          `plugin ${json.id} declares grafanaDependency "${range}", which Grafana ${options.grafanaVersion} does not satisfy: ` +
            'Grafana loads it anyway and it fails in the browser where it needs a newer Grafana',
        );
      }
    }
  }
  return registry;
}

function authorize(
  plugin: LoadedPlugin,
  options: { appMode: 'production' | 'development'; allowUnsigned: string[] },
): PluginError | null {
  switch (plugin.signature) {
    case 'valid':
      return null;
    case 'modified':
      return {
        pluginId: plugin.id,
        errorCode: 'signatureModified',
        message: `plugin '${plugin.id}' has an modified signature`,
      };
    case 'invalid':
      return {
        pluginId: plugin.id,
        errorCode: 'signatureInvalid',
        message: `plugin '${plugin.id}' has an invalid signature`,
      };
    case 'unsigned':
      if (options.appMode === 'development' || options.allowUnsigned.includes(plugin.id)) return null;
      return { pluginId: plugin.id, errorCode: 'signatureMissing', message: `plugin '${plugin.id}' has no signature` };
  }
}
