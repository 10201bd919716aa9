/**
 * The routes Grafana gives an app plugin, after public/app/features/plugins/components/AppRootPage.tsx:
 * /a/<id>/* loads the plugin's settings (/api/plugins/<id>/settings), refuses a disabled or non-app
 * plugin (getAppPluginPageError), imports its module and renders its root inside the page context
 * PluginPage reads; any failure renders "App not found" and logs the error to the console.
 * /plugins/<id> is the plugin's page with its configuration pages (PluginDetailsPage).
 */
import React, { useEffect, useMemo, useState } from 'react';
import { Navigate, useLocation, useParams } from 'react-router-dom';
import {
  type AppPlugin,
  type AppPluginMeta,
  type DataFrame,
  type DataQueryResponse,
  type PanelPlugin,
  LoadingState,
  PluginContextProvider,
  PluginType,
  dateTime,
  getDefaultTimeRange,
} from '@grafana/data';
import { getBackendSrv, getDataSourceSrv } from '@grafana/runtime';
import { Alert, LoadingPlaceholder, Tab, TabsBar } from '@grafana/ui';
import { importPluginModule } from './amd';
import { boot } from './boot';
import { EntityNotFound, Page } from './chrome';

export function getAppPluginPageError(meta?: AppPluginMeta): string | null {
  if (!meta) return 'Unknown Plugin';
  if (meta.type !== PluginType.app) return 'Plugin must be an app';
  if (!meta.enabled) return 'Application Not Enabled';
  return null;
}

type Loaded = { plugin: AppPlugin } | { error: string } | null;

/** loadAppPlugin + importAppPlugin: settings, checks, module, plugin.init(meta). */
function useAppPlugin(pluginId: string, shared: Record<string, unknown>): Loaded {
  const [state, setState] = useState<Loaded>(null);
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const meta = await getBackendSrv().get<AppPluginMeta>(`/api/plugins/${pluginId}/settings`);
      const problem = getAppPluginPageError(meta);
      if (problem) {
        return { error: problem };
      }
      const module = await importPluginModule(meta.module, shared);
      const plugin = module.plugin as AppPlugin;
      plugin.init(meta);
      plugin.meta = meta;
      return { plugin };
    })()
      .then((loaded) => !cancelled && setState(loaded))
      .catch((error: unknown) => {
        // Grafana logs the failure and shows the not-found page.
        console.error(error);
        if (!cancelled)
          setState({
            error: String(
              (error as Error)?.message ?? (error as { data?: { message?: string } })?.data?.message ?? error,
            ),
          });
      });
    return () => {
      cancelled = true;
    };
  }, [pluginId, shared]);
  return state;
}

export function AppRootPage({ shared }: { shared: Record<string, unknown> }) {
  const { pluginId = '' } = useParams();
  const location = useLocation();
  const loaded = useAppPlugin(pluginId, shared);
  const query = useMemo(() => Object.fromEntries(new URLSearchParams(location.search)), [location.search]);
  if (loaded === null) {
    return <LoadingPlaceholder text="Loading…" />;
  }
  if ('error' in loaded) {
    return <EntityNotFound entity="App" />;
  }
  const Root = loaded.plugin.root;
  if (!Root) {
    return <Page>No root app page component found</Page>;
  }
  return (
    <PluginContextProvider meta={loaded.plugin.meta}>
      <Root
        meta={loaded.plugin.meta}
        basename={location.pathname}
        onNavChanged={() => {}}
        query={query}
        path={location.pathname}
      />
    </PluginContextProvider>
  );
}

/** /plugins/<id>: the plugin's name as the title and its configuration pages as tabs. */
export function PluginConfigPage({ shared }: { shared: Record<string, unknown> }) {
  const { pluginId = '' } = useParams();
  const loaded = useAppPlugin(pluginId, shared);
  const [tab, setTab] = useState(0);
  if (loaded === null) {
    return <LoadingPlaceholder text="Loading…" />;
  }
  if ('error' in loaded) {
    return <EntityNotFound entity="Plugin" />;
  }
  const pages = loaded.plugin.configPages ?? [];
  const Body = pages[tab]?.body;
  const meta = loaded.plugin.meta;
  return (
    <Page navItem={{ text: meta.name, img: meta.info.logos.large, subTitle: meta.info.description }}>
      <TabsBar>
        {pages.map((p, i) => (
          <Tab key={p.id} label={p.title} icon={p.icon as never} active={i === tab} onChangeTab={() => setTab(i)} />
        ))}
      </TabsBar>
      <div style={{ paddingTop: 16 }}>{Body ? <Body plugin={loaded.plugin} query={{}} /> : null}</div>
    </Page>
  );
}

/** `/`: users.home_page redirects (the deployment sets the app as home); otherwise a plain Home. */
export function HomePage() {
  const home = boot.settings.homePage;
  if (home) {
    return <Navigate to={home.replace(/\/$/, '')} replace />;
  }
  return (
    <Page navItem={{ text: 'Home' }}>
      <Alert severity="info" title="Grafana stand-in">
        The apps this Grafana runs are in the menu on the left.
      </Alert>
    </Page>
  );
}

/**
 * Not a Grafana page: a panel plugin rendered alone, fed by its data source as a dashboard panel
 * would be (the stand-in does not render dashboards). /standin/panel/<panel id>?query=<json>&options=<json>
 * The options are given whole: Grafana's registry of option editors, which the panel's defaults
 * need, is not reproduced.
 */
export function PanelHost({ shared }: { shared: Record<string, unknown> }) {
  const { panelId = '' } = useParams();
  const params = new URLSearchParams(useLocation().search);
  const [state, setState] = useState<{ panel: PanelPlugin; series: DataFrame[] } | { error: string } | null>(null);
  useEffect(() => {
    (async () => {
      const meta = boot.settings.panels[panelId];
      if (!meta) throw new Error(`panel plugin ${panelId} is not registered`);
      const panel = (await importPluginModule(meta.module, shared)).plugin as PanelPlugin;
      const ds = await getDataSourceSrv().get(params.get('datasource') ?? undefined);
      const to = dateTime();
      const response = (await ds.query({
        requestId: 'standin-panel',
        interval: '60s',
        intervalMs: 60_000,
        maxDataPoints: 100,
        range: { from: dateTime(to.valueOf() - 3_600_000), to, raw: { from: 'now-1h', to: 'now' } },
        scopedVars: {},
        targets: [JSON.parse(params.get('query') ?? '{}')],
        timezone: 'browser',
        app: 'dashboard',
        startTime: Date.now(),
      } as never)) as DataQueryResponse;
      return { panel, series: response.data as DataFrame[] };
    })()
      .then(setState)
      .catch((error: Error) => {
        console.error(error);
        setState({ error: error.message });
      });
    // Loads once per panel id; the query and options come with the URL.
  }, [panelId]);
  if (state === null) return <LoadingPlaceholder text="Loading…" />;
  if ('error' in state) return <Alert title="Panel failed">{state.error}</Alert>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Panel = state.panel.panel as React.ComponentType<any>;
  const options = JSON.parse(params.get('options') ?? '{}') as Record<string, unknown>;
  return (
    <Page navItem={{ text: `Panel: ${state.panel.meta?.name ?? panelId}` }}>
      <div style={{ width: 520, height: 320 }} data-testid="standin-panel">
        <Panel
          id={1}
          data={{ series: state.series, state: LoadingState.Done, timeRange: getDefaultTimeRange() }}
          options={options}
          width={520}
          height={320}
          title=""
          timeRange={getDefaultTimeRange()}
          timeZone="browser"
          fieldConfig={{ defaults: {}, overrides: [] }}
          transparent={false}
          renderCounter={1}
          replaceVariables={(s: string) => s}
          onOptionsChange={() => {}}
          onFieldConfigChange={() => {}}
          onChangeTimeRange={() => {}}
          eventBus={{} as never}
        />
      </div>
    </Page>
  );
}
