import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;
export const DATASOURCE_TYPE = 'magnificentworldwide-voiceagent-datasource';
export const DATASOURCE_NAME = 'Magnificent Worldwide Voice Agent';

/** One place for the app's routes (relative to PLUGIN_BASE_URL). */
export enum ROUTES {
  Overview = 'overview',
  BeastMode = 'beast-mode',
  Calls = 'calls',
  Learning = 'learning',
  Operations = 'operations',
}

export const NAV: Array<{ route: ROUTES; title: string }> = [
  { route: ROUTES.Overview, title: 'Executive overview' },
  { route: ROUTES.BeastMode, title: 'Beast Mode' },
  { route: ROUTES.Calls, title: 'Calls' },
  { route: ROUTES.Learning, title: 'Learning graph' },
  { route: ROUTES.Operations, title: 'Operations' },
];

/** The business target: 700–1000 calls a day. */
export const DAILY_CALL_TARGET = { min: 700, max: 1000 };
/**
 * The Beast Mode expert bar (0–100) when the server does not say: the server's
 * BEAST_MODE_BAR travels in the beast_mode frames' meta (see expertBarOf).
 */
export const EXPERT_BAR = 90;
