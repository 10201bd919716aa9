import { APP_PLUGIN_ID, DATASOURCE_PLUGIN_ID, DATASOURCE_UIDS } from '../config';
import { envRef, GRAFANA_ENV } from './env';

/** Grafana provisioning: plugins/ (the app) and datasources/ (stable uids). */
export function appPluginProvisioning() {
  return {
    apiVersion: 1,
    apps: [
      {
        type: APP_PLUGIN_ID,
        org_id: 1,
        disabled: false,
        jsonData: { apiUrl: envRef(GRAFANA_ENV.apiUrl) },
        secureJsonData: { apiToken: envRef(GRAFANA_ENV.apiToken) },
      },
    ],
  };
}

export function datasourceProvisioning() {
  return {
    apiVersion: 1,
    datasources: [
      {
        name: 'Magnificent Worldwide Voice Agent',
        uid: DATASOURCE_UIDS.voice,
        type: DATASOURCE_PLUGIN_ID,
        access: 'proxy',
        orgId: 1,
        isDefault: true,
        editable: false,
        // The plugin's proxy route reads {{ .JsonData.url }} (plugin/src/datasource/plugin.json), and its
        // ConfigEditor edits jsonData.url: Grafana renders a missing key as "<no value>" and answers 502.
        jsonData: { url: envRef(GRAFANA_ENV.apiUrl) },
        // Sent by Grafana's data-source proxy as the bearer token; never reaches the browser.
        secureJsonData: { apiToken: envRef(GRAFANA_ENV.apiToken) },
      },
      {
        name: 'Prometheus',
        uid: DATASOURCE_UIDS.prometheus,
        type: 'prometheus',
        access: 'proxy',
        orgId: 1,
        url: envRef(GRAFANA_ENV.prometheusUrl),
        isDefault: false,
        editable: false,
        jsonData: {
          httpMethod: 'POST',
          timeInterval: '15s',
          prometheusType: 'Prometheus',
          alertmanagerUid: DATASOURCE_UIDS.alertmanager,
        },
      },
      {
        name: 'Alertmanager',
        uid: DATASOURCE_UIDS.alertmanager,
        type: 'alertmanager',
        access: 'proxy',
        orgId: 1,
        url: envRef(GRAFANA_ENV.alertmanagerUrl),
        isDefault: false,
        editable: false,
        // Shows the Prometheus-rule alerts in Grafana; Grafana-managed alerts use Grafana's own notifier.
        jsonData: { implementation: 'prometheus', handleGrafanaManagedAlerts: false },
      },
    ],
  };
}
