import React, { useEffect, useState } from 'react';
import ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactRouter from 'react-router';
import { BrowserRouter, Link, Route, Routes, useLocation } from 'react-router-dom';
import * as rxjs from 'rxjs';
import * as emotionCss from '@emotion/css';
import * as grafanaData from '@grafana/data';
import {
  type AppPlugin,
  type DataFrame,
  type DataSourceApi,
  type DataQueryResponse,
  type PanelPlugin,
  type PluginMeta,
  LoadingState,
  PluginType,
  dateTime,
  getDefaultTimeRange,
} from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import * as jsxRuntime from 'react/jsx-runtime';
import { installDefine, loadAmd } from './amd';
import { setUpGrafanaServices } from './services';

const APP_ID = 'magnificentworldwide-voiceagent-app';
const DS_TYPE = 'magnificentworldwide-voiceagent-datasource';
const BASE = `/public/plugins/${APP_ID}`;

/** The modules Grafana shares with plugins (the create-plugin externals the plugin uses). */
const shared: Record<string, unknown> = {
  react: React,
  'react/jsx-runtime': jsxRuntime,
  'react-dom': ReactDOM,
  'react-router': ReactRouter,
  rxjs,
  '@emotion/css': emotionCss,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
};

interface Loaded {
  app: AppPlugin;
  appMeta: PluginMeta;
  panel: PanelPlugin;
}

async function loadPlugins(): Promise<Loaded> {
  installDefine();
  const appMeta = (await (await fetch(`${BASE}/plugin.json`)).json()) as PluginMeta;
  const datasource = await loadAmd(`${BASE}/datasource/module.js`, shared);
  const dsPlugin = datasource.plugin as { DataSourceClass: new (s: unknown) => DataSourceApi };
  await setUpGrafanaServices({ [DS_TYPE]: dsPlugin.DataSourceClass as never });
  const app = (await loadAmd(`${BASE}/module.js`, shared)).plugin as AppPlugin;
  const panel = (await loadAmd(`${BASE}/panels/beast-mode/module.js`, shared)).plugin as PanelPlugin;
  app.init({ ...appMeta, type: PluginType.app, enabled: true } as never);
  return { app, appMeta: { ...appMeta, enabled: true, jsonData: {} } as PluginMeta, panel };
}

/** The Beast Mode panel fed by the nested data source, as a dashboard would. */
function PanelHost({ panel }: { panel: PanelPlugin }) {
  const [series, setSeries] = useState<DataFrame[] | null>(null);
  const view = new URLSearchParams(useLocation().search).get('view') ?? 'overall';
  useEffect(() => {
    const run = async () => {
      const ds = await grafanaRuntime.getDataSourceSrv().get({ type: DS_TYPE, uid: '' });
      const to = dateTime();
      const response = (await ds.query({
        requestId: 'panel',
        interval: '60s',
        intervalMs: 60_000,
        maxDataPoints: 100,
        range: { from: dateTime(to.valueOf() - 3_600_000), to, raw: { from: 'now-1h', to: 'now' } },
        scopedVars: {},
        targets: [{ refId: 'A', kind: 'beast_mode', mode: 'current', skill: 'all' } as never],
        timezone: 'browser',
        app: 'dashboard',
        startTime: Date.now(),
      })) as DataQueryResponse;
      setSeries(response.data as DataFrame[]);
    };
    run().catch((e) => console.error(e));
  }, []);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const Panel = panel.panel as React.ComponentType<any>;
  if (!series) {
    return null;
  }
  const options = { view, expertBar: 85, warnBelow: 50 };
  return (
    <div style={{ width: 520, height: 320 }} data-testid="host-panel">
      <Panel
        id={1}
        data={{ series, state: LoadingState.Done, timeRange: getDefaultTimeRange() }}
        options={options}
        width={520}
        height={320}
        title="Beast Mode"
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
  );
}

function Host({ loaded }: { loaded: Loaded }) {
  const Root = loaded.app.root!;
  const config = loaded.app.configPages?.[0];
  const location = useLocation();
  return (
    <Routes>
      <Route
        path={`/a/${APP_ID}/*`}
        element={
          <Root
            meta={loaded.appMeta as never}
            basename={`/a/${APP_ID}`}
            path={`/a/${APP_ID}`}
            query={Object.fromEntries(new URLSearchParams(location.search)) as never}
            onNavChanged={() => {}}
          />
        }
      />
      <Route
        path={`/plugins/${APP_ID}`}
        element={config ? <config.body plugin={loaded.app as never} query={{} as never} /> : null}
      />
      <Route path="/panel" element={<PanelHost panel={loaded.panel} />} />
      <Route path="*" element={<Link to={`/a/${APP_ID}/overview`}>Open the app</Link>} />
    </Routes>
  );
}

loadPlugins()
  .then((loaded) => {
    createRoot(document.getElementById('root')!).render(
      <grafanaUi.ThemeContext.Provider value={grafanaRuntime.config.theme2}>
        <BrowserRouter>
          <Host loaded={loaded} />
        </BrowserRouter>
      </grafanaUi.ThemeContext.Provider>,
    );
  })
  .catch((error) => {
    console.error('host: could not load the plugin', error);
    document.getElementById('root')!.textContent = `Plugin failed to load: ${error}`;
  });
