/** @grafana/runtime's setPluginPage, which Grafana's own app calls at start-up (not in its public exports). */
declare module 'grafana-runtime-plugin-page' {
  import type { PluginPageType } from '@grafana/runtime';
  export function setPluginPage(component: PluginPageType): void;
}
