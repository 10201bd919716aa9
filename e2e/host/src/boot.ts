/** The boot data the stand-in server writes into the page (see e2e/host/server/boot-data.ts). */
import type { DataSourceInstanceSettings, NavModelItem, PluginMeta } from '@grafana/data';

export interface StandInBoot {
  user: { login: string; orgId: number; orgRole: string; theme: string };
  settings: {
    appSubUrl: string;
    buildInfo: { version: string };
    datasources: Record<string, DataSourceInstanceSettings>;
    defaultDatasource: string;
    panels: Record<string, PluginMeta>;
    apps: Record<string, { id: string; path: string }>;
    homePage: string;
  };
  navTree: NavModelItem[];
  standIn: {
    sharedModules: string[];
    pluginErrors: Array<{ pluginId: string; errorCode: string; message: string }>;
    warnings: string[];
    /** Set by the development preview (`npm start`): shown in the top bar. */
    previewLabel: string | null;
  };
}

export const boot = (window as unknown as { grafanaBootData: StandInBoot }).grafanaBootData;
