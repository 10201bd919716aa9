/**
 * The stand-in's frontend: Grafana's boot sequence for what a plugin touches. It reads
 * window.grafanaBootData (written by the stand-in server), shares the modules this Grafana release
 * shares with plugins, sets the runtime services and PluginPage, applies Grafana's global styles and
 * theme, and routes below the sub path (<base href>) as Grafana's router does.
 */
import React from 'react';
import ReactDOM from 'react-dom';
import { createRoot } from 'react-dom/client';
import * as ReactRouter from 'react-router';
import * as ReactRouterDom from 'react-router-dom';
import * as jsxRuntime from 'react/jsx-runtime';
import * as jsxDevRuntime from 'react/jsx-dev-runtime';
import * as rxjs from 'rxjs';
import * as emotionCss from '@emotion/css';
import * as emotionReact from '@emotion/react';
import lodash from 'lodash';
import moment from 'moment';
import * as grafanaData from '@grafana/data';
import * as grafanaRuntime from '@grafana/runtime';
import * as grafanaUi from '@grafana/ui';
import { setPluginPage } from 'grafana-runtime-plugin-page';
import { installDefine } from './amd';
import { boot } from './boot';
import { Chrome, EntityNotFound, StandInPluginPage } from './chrome';
import { AppRootPage, HomePage, PanelHost, PluginConfigPage } from './pages';
import { setUpGrafanaServices } from './services';

const { BrowserRouter, Route, Routes } = ReactRouterDom;

/** Every module a Grafana 11/12 release can share; boot.standIn.sharedModules says which this one does. */
const AVAILABLE: Record<string, unknown> = {
  react: React,
  'react-dom': ReactDOM,
  'react/jsx-runtime': jsxRuntime,
  'react/jsx-dev-runtime': jsxDevRuntime,
  'react-router': ReactRouter,
  'react-router-dom': ReactRouterDom,
  rxjs,
  '@emotion/css': emotionCss,
  '@emotion/react': emotionReact,
  lodash,
  moment,
  '@grafana/data': grafanaData,
  '@grafana/runtime': grafanaRuntime,
  '@grafana/ui': grafanaUi,
};
const shared = Object.fromEntries(
  boot.standIn.sharedModules.flatMap((m) => (m in AVAILABLE ? [[m, AVAILABLE[m]]] : [])),
);

installDefine();
setUpGrafanaServices(shared);
setPluginPage(StandInPluginPage);

function StandIn() {
  return (
    <grafanaUi.ThemeContext.Provider value={grafanaRuntime.config.theme2}>
      <grafanaUi.GlobalStyles />
      <BrowserRouter basename={boot.settings.appSubUrl || '/'}>
        <Chrome>
          <Routes>
            <Route path="/" element={<HomePage />} />
            <Route path="/a/:pluginId/*" element={<AppRootPage shared={shared} />} />
            <Route path="/plugins/:pluginId" element={<PluginConfigPage shared={shared} />} />
            <Route path="/standin/panel/:panelId" element={<PanelHost shared={shared} />} />
            <Route path="*" element={<EntityNotFound entity="Page" />} />
          </Routes>
        </Chrome>
      </BrowserRouter>
    </grafanaUi.ThemeContext.Provider>
  );
}

createRoot(document.getElementById('reactRoot')!).render(<StandIn />);
