/**
 * window.grafanaBootData, as Grafana's index handler fills it (pkg/api/index.go, frontendsettings.go,
 * navtree/navtreeimpl/applinks.go), for what the plugin and the stand-in page read:
 *  - settings.appSubUrl / appUrl from root_url; buildInfo.version is the pinned Grafana version;
 *  - settings.datasources keyed by name, only for data sources whose plugin is registered; proxy
 *    data sources get url "/api/datasources/proxy/uid/<uid>" and never their secrets;
 *  - settings.panels / settings.apps for registered plugins;
 *  - navTree: the app as a section under "Apps", with its `includes` that have addToNav as children.
 */
import type { GrafanaConfig } from './grafana-config';
import type { DataSourceRecord } from './datasource-store';
import type { LoadedPlugin, PluginRegistry } from './plugins';
import type { ProvisionedApp } from './provisioning';

export interface NavItem {
  id: string;
  text: string;
  url: string;
  icon?: string;
  img?: string;
  children?: NavItem[];
}

export function pluginMeta(p: LoadedPlugin): Record<string, unknown> {
  return {
    ...p.json,
    id: p.id,
    type: p.type,
    module: p.module,
    baseUrl: p.baseUrl,
    signature: p.signature,
    info: {
      ...p.json.info,
      logos: Object.fromEntries(
        Object.entries(p.json.info.logos ?? {}).map(([k, v]) => [k, v ? `${p.baseUrl}/${v}` : v]),
      ),
    },
  };
}

export function dataSourceInstanceSettings(ds: DataSourceRecord, plugin: LoadedPlugin): Record<string, unknown> {
  return {
    id: ds.id,
    uid: ds.uid,
    type: ds.type,
    name: ds.name,
    access: ds.access,
    url: ds.access === 'proxy' ? `/api/datasources/proxy/uid/${ds.uid}` : ds.url,
    isDefault: ds.isDefault,
    readOnly: ds.readOnly,
    jsonData: ds.jsonData,
    meta: pluginMeta(plugin),
  };
}

export function appNav(app: LoadedPlugin, appSubUrl: string): NavItem {
  const includes = (app.json.includes ?? []).filter((i) => i.addToNav && i.path);
  const home = includes.find((i) => i.defaultNav) ?? includes[0];
  const resolve = (p: string) => `${appSubUrl}${p.replace('%PLUGIN_ID%', app.id)}`;
  return {
    id: `plugin-page-${app.id}`,
    text: app.json.name,
    url: home ? resolve(home.path!) : `${appSubUrl}/a/${app.id}`,
    img: app.json.info.logos?.small ? `${appSubUrl}/${app.baseUrl}/${app.json.info.logos.small}` : undefined,
    children: includes.map((i) => ({
      id: `standin-${app.id}-${i.name}`,
      text: i.name ?? '',
      url: resolve(i.path!),
      icon: i.icon,
    })),
  };
}

export function buildBootData(options: {
  config: GrafanaConfig;
  grafanaVersion: string;
  registry: PluginRegistry;
  datasources: DataSourceRecord[];
  apps: ProvisionedApp[];
  sharedModules: string[];
  warnings: string[];
  previewLabel?: string;
}): Record<string, unknown> {
  const { config, registry } = options;
  const registered = (type: string) => [...registry.plugins.values()].filter((p) => p.type === type);
  const datasources: Record<string, unknown> = {};
  for (const ds of options.datasources) {
    const plugin = registry.plugins.get(ds.type);
    if (plugin) datasources[ds.name] = dataSourceInstanceSettings(ds, plugin);
  }
  const enabledApps = registered('app').filter((a) => options.apps.some((p) => p.pluginId === a.id && p.enabled));
  return {
    user: {
      id: 1,
      login: config.adminUser,
      name: config.adminUser,
      orgId: 1,
      orgName: 'Main Org.',
      orgRole: 'Admin',
      isGrafanaAdmin: true,
      isSignedIn: true,
      theme: config.defaultTheme,
      timezone: 'browser',
      locale: 'en-US',
      language: 'en-US',
    },
    settings: {
      appSubUrl: config.appSubUrl,
      appUrl: config.rootUrl,
      buildInfo: { version: options.grafanaVersion, commit: 'stand-in', edition: 'Open Source', env: 'production' },
      datasources,
      defaultDatasource: options.datasources.find((d) => d.isDefault && datasources[d.name])?.name ?? '',
      panels: Object.fromEntries(registered('panel').map((p) => [p.id, pluginMeta(p)])),
      apps: Object.fromEntries(
        enabledApps.map((a) => [a.id, { id: a.id, path: a.module, version: a.json.info.version, preload: false }]),
      ),
      featureToggles: {},
      homePage: config.homePage,
    },
    navTree: [
      { id: 'home', text: 'Home', url: `${config.appSubUrl}/`, icon: 'home-alt' },
      {
        id: 'apps',
        text: 'Apps',
        url: `${config.appSubUrl}/apps`,
        icon: 'layer-group',
        children: enabledApps.map((a) => appNav(a, config.appSubUrl)),
      },
    ],
    // Not Grafana's: what the stand-in page needs to reproduce Grafana's module loading and to say
    // what it found at start-up.
    standIn: {
      sharedModules: options.sharedModules,
      pluginErrors: registry.errors,
      warnings: options.warnings,
      previewLabel: options.previewLabel ?? null,
    },
  };
}
