import { querySchema } from '@mwva/contract';
import { APP_PLUGIN_ID, BEAST_MODE_PANEL_ID, DATASOURCE_PLUGIN_ID, DATASOURCE_UIDS } from '../src/config';
import { GRAFANA_ENV } from '../src/grafana/env';
import { COMPOSE_PROMETHEUS } from '../src/prometheus/scrape-config';
import { readJson, readText, readYaml } from './files';
import {
  alertRulesFile,
  appPluginFile,
  contactPointsFile,
  dashboardJson,
  dashboardProviderFile,
  datasourcesFile,
  policiesFile,
  promRuleFile,
  type DashboardJson,
} from './schemas';

const ENV_NAMES = new Set<string>(Object.values(GRAFANA_ENV));

/** Every `$` in a Grafana provisioning file that Grafana would expand: must be a known ${VAR}. */
function envReferences(text: string): string[] {
  return [...text.matchAll(/\$\{?([A-Za-z_]\w*)\}?/g)].map((m) => m[1]!);
}

describe('Grafana provisioning YAML', () => {
  it('enables the app with its settings from the environment', () => {
    const file = appPluginFile.parse(readYaml('grafana/plugins/app.yml'));
    expect(file.apps).toHaveLength(1);
    expect(file.apps[0]).toMatchObject({ type: APP_PLUGIN_ID, disabled: false });
  });

  it('provisions the three data sources with the uids dashboards and rules use', () => {
    const file = datasourcesFile.parse(readYaml('grafana/datasources/datasources.yml'));
    expect(file.datasources.map((d) => [d.uid, d.type])).toEqual([
      [DATASOURCE_UIDS.voice, DATASOURCE_PLUGIN_ID],
      [DATASOURCE_UIDS.prometheus, 'prometheus'],
      [DATASOURCE_UIDS.alertmanager, 'alertmanager'],
    ]);
    expect(file.datasources.filter((d) => d.isDefault).map((d) => d.uid)).toEqual([DATASOURCE_UIDS.voice]);
  });

  it.each([
    'grafana/plugins/app.yml',
    'grafana/datasources/datasources.yml',
    'grafana/dashboards/provider.yml',
    'grafana/alerting/contact-points.yml',
    'grafana/alerting/policies.yml',
  ])('%s references only documented environment variables', (path) => {
    for (const name of envReferences(readText(path))) expect(ENV_NAMES).toContain(name);
  });

  it('keeps `$` in alert rules only inside annotations (Grafana does not expand those)', () => {
    const file = alertRulesFile.parse(readYaml('grafana/alerting/rules.yml'));
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      const { annotations: _a, ...expanded } = rule;
      expect(JSON.stringify(expanded)).not.toContain('$');
    }
  });

  it('has alert rules whose condition and queries point at provisioned data sources', () => {
    const file = alertRulesFile.parse(readYaml('grafana/alerting/rules.yml'));
    const known = new Set<string>(Object.values(DATASOURCE_UIDS));
    for (const rule of file.groups.flatMap((g) => g.rules)) {
      expect(rule.data.map((d) => d.refId)).toContain(rule.condition);
      for (const q of rule.data) expect(known).toContain(q.datasourceUid);
    }
  });

  it('routes every severity of the Grafana policy to a provisioned contact point', () => {
    const points = contactPointsFile.parse(readYaml('grafana/alerting/contact-points.yml'));
    const names = new Set(points.contactPoints.map((c) => c.name));
    const policies = policiesFile.parse(readYaml('grafana/alerting/policies.yml'));
    const root = policies.policies[0]!;
    expect(names).toContain(root.receiver);
    const severities = (root.routes ?? []).map((r) => r.object_matchers?.[0]?.[2]);
    expect(severities).toEqual(expect.arrayContaining(['critical', 'warning', 'info']));
    for (const r of root.routes ?? []) expect(names).toContain(r.receiver);
  });

  it('reads dashboards from the generated JSON folder, read-only in the UI', () => {
    const file = dashboardProviderFile.parse(readYaml('grafana/dashboards/provider.yml'));
    expect(file.providers[0]).toMatchObject({
      allowUiUpdates: false,
      options: { path: '${GF_PATHS_PROVISIONING}/dashboards/json' },
    });
  });
});

describe('grafana.ini and the development env file', () => {
  const ini = readText('grafana/grafana.ini');
  const dev = readText('grafana/grafana.dev.env');

  it('sets the dark theme and the app as home page', () => {
    expect(ini).toMatch(/^\[users\][^[]*^default_theme = dark$/m);
    expect(ini).toMatch(new RegExp(`^home_page = /a/${APP_PLUGIN_ID}/$`, 'm'));
  });

  it('loads unsigned plugins only in development', () => {
    expect(ini).toMatch(/^allow_loading_unsigned_plugins =$/m);
    expect(dev).toContain(
      `GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS=${APP_PLUGIN_ID},${DATASOURCE_PLUGIN_ID},${BEAST_MODE_PANEL_ID}`,
    );
  });
});

describe.each(['analytics', 'operations'])('dashboard %s.json', (name) => {
  const board = dashboardJson.parse(readJson(`grafana/dashboards/json/${name}.json`)) as DashboardJson;
  const panels = board.panels.filter((p) => p.type !== 'row') as {
    id: number;
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    datasource?: { uid: string };
    targets?: { refId: string; datasource: { uid: string; type: string } }[];
  }[];

  it('has unique panel ids that fit the 24-column grid', () => {
    expect(new Set(board.panels.map((p) => p.id)).size).toBe(board.panels.length);
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
  });

  it('has panels (rows included) that do not overlap', () => {
    const cells = new Set<string>();
    for (const { gridPos: g } of board.panels) {
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`)).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('has targets on provisioned data sources with unique refIds per panel', () => {
    const known = new Set<string>(Object.values(DATASOURCE_UIDS));
    for (const p of panels) {
      expect(p.targets?.length).toBeGreaterThan(0);
      const refIds = p.targets!.map((t) => t.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      for (const t of p.targets!) expect(known).toContain(t.datasource.uid);
    }
  });

  it("shapes every app data-source target by the server's query contract", () => {
    const targets = panels.flatMap((p) => p.targets ?? []).filter((t) => t.datasource.uid === DATASOURCE_UIDS.voice);
    for (const { datasource: _ds, ...query } of targets) {
      const parsed = querySchema.safeParse(query);
      expect(parsed.error?.issues).toBeUndefined();
    }
  });
});

describe('the dashboards together', () => {
  const analytics = readJson('grafana/dashboards/json/analytics.json') as {
    panels: { type: string; title: string; targets?: { datasource: { uid: string } }[] }[];
  };
  const operations = readJson('grafana/dashboards/json/operations.json') as typeof analytics;

  it('has the analytics panels executives asked for, on the app data source', () => {
    const byTitle = new Map(analytics.panels.map((p) => [p.title, p]));
    expect(byTitle.get('Active Call Volume')?.type).toBe('stat');
    expect(byTitle.get('Beast Mode Progress')?.type).toBe(BEAST_MODE_PANEL_ID);
    for (const t of ['Call volume', 'Conversion rate', 'Turn latency', 'Hang-up causes', 'Cost per call'])
      expect(byTitle.has(t)).toBe(true);
    for (const p of analytics.panels.filter((x) => x.type !== 'row')) {
      expect(p.targets?.every((t) => t.datasource.uid === DATASOURCE_UIDS.voice)).toBe(true);
    }
  });

  it('builds the operations dashboard on Prometheus, but for the dead-letter list on the app data source', () => {
    const panels = operations.panels.filter((x) => x.type !== 'row');
    const onApp = panels.filter((p) => p.targets?.some((t) => t.datasource.uid !== DATASOURCE_UIDS.prometheus));
    expect(onApp.map((p) => [p.type, p.title])).toEqual([['table', 'Dead letters']]);
    expect(onApp[0]!.targets).toEqual([expect.objectContaining({ kind: 'dead_letters', limit: 50 })]);
    expect(onApp[0]!.targets!.every((t) => t.datasource.uid === DATASOURCE_UIDS.voice)).toBe(true);
    for (const p of panels.filter((x) => !onApp.includes(x))) {
      expect(p.targets?.every((t) => t.datasource.uid === DATASOURCE_UIDS.prometheus)).toBe(true);
    }
  });

  it('shows the dead-letter count from Prometheus, red from the first one', () => {
    const board = readJson('grafana/dashboards/json/operations.json') as {
      panels: {
        type: string;
        title: string;
        targets?: { expr?: string }[];
        fieldConfig?: { defaults: { thresholds?: { steps: { value: number | null; color: string }[] } } };
      }[];
    };
    const count = board.panels.find((p) => p.type === 'stat' && p.title === 'Dead letters');
    expect(count?.targets?.map((t) => t.expr)).toEqual(['max(voice_dead_letter_events{job="voice-agent-api"})']);
    expect(count?.fieldConfig?.defaults.thresholds?.steps).toEqual([
      { value: null, color: 'green' },
      { value: 1, color: 'red' },
    ]);
  });
});

describe('Prometheus files', () => {
  it('rule files have the shapes Prometheus reads', () => {
    promRuleFile.parse(readYaml('prometheus/rules/recording.yml'));
    promRuleFile.parse(readYaml('prometheus/rules/alerts.yml'));
  });

  it('scrapes the three compose replicas by fixed name, so a dead one stays a target (ReplicaDown)', () => {
    const config = readYaml('prometheus/prometheus.yml') as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const api = config.scrape_configs.find((s) => s.job_name === 'voice-agent-api')!;
    expect(api.static_configs[0]!.targets).toEqual(COMPOSE_PROMETHEUS.apiTargets);
  });
});
