/**
 * Grafana's configuration as the official image builds it:
 *  - the image sets GF_PATHS_CONFIG=/etc/grafana/grafana.ini, GF_PATHS_PROVISIONING=/etc/grafana/provisioning,
 *    GF_PATHS_PLUGINS=/var/lib/grafana/plugins, GF_PATHS_DATA=/var/lib/grafana (grafana/grafana Dockerfile);
 *  - run.sh turns every `GF_<X>__FILE=<path>` into `GF_<X>=<file content>` (Docker secrets);
 *  - grafana-server reads its defaults, then the --config file, expands `${VAR}`, `$__env{}`, `$__file{}`
 *    in its values (setting.expandConfig), then applies `GF_<SECTION>_<KEY>` environment overrides
 *    (section and key upper-cased, `.` and `-` as `_`) to every key it knows.
 * The image ships a commented-out sample at /etc/grafana/grafana.ini: a deployment that does not put
 * its own file there runs on the defaults, silently.
 */
import { type ExpansionContext, expandVar } from './interpolate';
import type { ContainerFs } from './container-fs';

/** The environment variables the grafana/grafana image sets (its Dockerfile ENV). */
export const IMAGE_ENV: Readonly<Record<string, string>> = {
  GF_PATHS_CONFIG: '/etc/grafana/grafana.ini',
  GF_PATHS_DATA: '/var/lib/grafana',
  GF_PATHS_HOME: '/usr/share/grafana',
  GF_PATHS_LOGS: '/var/log/grafana',
  GF_PATHS_PLUGINS: '/var/lib/grafana/plugins',
  GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
};

type Ini = Record<string, Record<string, string>>;

/** The defaults (conf/defaults.ini) of the keys the stand-in acts on; env overrides apply to these. */
const DEFAULTS: Ini = {
  '': { app_mode: 'production', instance_name: '${HOSTNAME}' },
  paths: { data: 'data', logs: 'data/log', plugins: 'data/plugins', provisioning: 'conf/provisioning' },
  server: {
    protocol: 'http',
    http_addr: '',
    http_port: '3000',
    domain: 'localhost',
    root_url: '%(protocol)s://%(domain)s:%(http_port)s/',
    serve_from_sub_path: 'false',
  },
  security: { admin_user: 'admin', admin_password: 'admin', cookie_secure: 'false', disable_gravatar: 'false' },
  users: { default_theme: 'dark', home_page: '', allow_sign_up: 'false' },
  'auth.anonymous': { enabled: 'false' },
  plugins: { allow_loading_unsigned_plugins: '' },
  analytics: { reporting_enabled: 'true', check_for_updates: 'true' },
  unified_alerting: { enabled: 'true' },
};

export interface GrafanaConfig {
  /** Which file grafana.ini was read from, and whether it was there at all. */
  configFile: { path: string; found: boolean };
  appMode: 'production' | 'development';
  httpAddr: string;
  httpPort: number;
  rootUrl: string;
  /** Path part of root_url without the trailing slash: "" or "/grafana". */
  appSubUrl: string;
  serveFromSubPath: boolean;
  paths: { provisioning: string; plugins: string; data: string };
  allowUnsigned: string[];
  defaultTheme: 'dark' | 'light' | 'system';
  homePage: string;
  adminUser: string;
  /** Every effective key, for the stand-in's own /api/admin/settings-like diagnostics. */
  raw: Ini;
}

/** run.sh: GF_X__FILE=path becomes GF_X=<content without trailing newlines>; both set is an error. */
export function resolveFileEnv(env: Record<string, string | undefined>, fs: ContainerFs): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  for (const [k, file] of Object.entries(out)) {
    if (!/^GF_.+__FILE$/.test(k) || !file) continue;
    const name = k.slice(0, -'__FILE'.length);
    if (out[name]) throw new Error(`ERROR: Both ${name} and ${k} are set (but are exclusive)`);
    out[name] = fs.readText(file).replace(/\n+$/, '');
    delete out[k];
  }
  return out;
}

/** go-ini as Grafana uses it: [sections], `key = value`, `;`/`#` comments, optional quotes. */
export function parseIni(text: string): Ini {
  const ini: Ini = { '': {} };
  let section = '';
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      ini[section] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq === -1) throw new Error(`grafana.ini: key-value delimiter not found: ${line}`);
    let value = line.slice(eq + 1).trim();
    const quoted = /^"""([\s\S]*)"""$|^"(.*)"$|^`(.*)`$/.exec(value);
    if (quoted) value = quoted[1] ?? quoted[2] ?? quoted[3] ?? '';
    ini[section]![line.slice(0, eq).trim()] = value;
  }
  return ini;
}

/** setting.go envKey: go-ini names the section-less keys' section "DEFAULT" (GF_DEFAULT_APP_MODE). */
const envKey = (section: string, key: string) =>
  `GF_${section || 'DEFAULT'}_${key}`.toUpperCase().replace(/[.-]/g, '_');

/** %(key)s references to keys of the same section (root_url's default uses them). */
function resolveReferences(section: Record<string, string>): void {
  for (const [k, v] of Object.entries(section)) {
    section[k] = v.replace(/%\(([^)]+)\)s/g, (_, name: string) => section[name] ?? '');
  }
}

export function loadGrafanaConfig(options: {
  env: Record<string, string | undefined>;
  fs: ContainerFs;
  hostname?: string;
}): GrafanaConfig {
  const env = resolveFileEnv({ ...IMAGE_ENV, ...options.env }, options.fs);
  const ctx: ExpansionContext = { env, readFile: (p) => options.fs.readText(p), hostname: options.hostname };
  const configPath = env.GF_PATHS_CONFIG ?? IMAGE_ENV.GF_PATHS_CONFIG!;
  const found = options.fs.exists(configPath);
  const ini: Ini = structuredClone(DEFAULTS);
  // run.sh passes the image's GF_PATHS_* as cfg:default.paths.* (below the config file).
  ini.paths = {
    ...ini.paths,
    data: env.GF_PATHS_DATA!,
    logs: env.GF_PATHS_LOGS!,
    plugins: env.GF_PATHS_PLUGINS!,
    provisioning: env.GF_PATHS_PROVISIONING!,
  };
  if (found) {
    for (const [section, keys] of Object.entries(parseIni(options.fs.readText(configPath)))) {
      ini[section] = { ...(ini[section] ?? {}), ...keys };
    }
  }
  for (const [section, keys] of Object.entries(ini)) {
    for (const key of Object.keys(keys)) {
      keys[key] = expandVar(keys[key]!, ctx);
      const override = env[envKey(section, key)];
      if (override) keys[key] = override;
    }
    resolveReferences(keys);
  }
  return toConfig(ini, { path: configPath, found });
}

function toConfig(ini: Ini, configFile: GrafanaConfig['configFile']): GrafanaConfig {
  const get = (section: string, key: string) => ini[section]?.[key] ?? '';
  const rootUrl = get('server', 'root_url');
  const appSubUrl = new URL(rootUrl).pathname.replace(/\/+$/, '');
  const theme = get('users', 'default_theme');
  return {
    configFile,
    appMode: get('', 'app_mode') === 'development' ? 'development' : 'production',
    httpAddr: get('server', 'http_addr'),
    httpPort: Number(get('server', 'http_port')),
    rootUrl,
    appSubUrl,
    serveFromSubPath: get('server', 'serve_from_sub_path') === 'true',
    paths: { provisioning: get('paths', 'provisioning'), plugins: get('paths', 'plugins'), data: get('paths', 'data') },
    allowUnsigned: get('plugins', 'allow_loading_unsigned_plugins')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    defaultTheme: theme === 'light' || theme === 'system' ? theme : 'dark',
    homePage: get('users', 'home_page'),
    adminUser: get('security', 'admin_user'),
    raw: ini,
  };
}
