/**
 * zod schemas of the file formats Grafana, Prometheus and Alertmanager read, as far as these
 * files use them (strict objects: an unknown or misspelt key fails). Grafana cannot run here, so
 * its side is checked against these and the SDK's types.
 */
import { z } from 'zod';

const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/, 'a Prometheus/Grafana duration like 5m');
const envRef = z.string().regex(/^\$\{[A-Z_]+\}$/, 'an environment reference ${VAR}');
const labelMap = z.record(z.string().regex(/^[a-zA-Z_]\w*$/), z.string());

export const appPluginFile = z.strictObject({
  apiVersion: z.literal(1),
  apps: z.array(
    z.strictObject({
      type: z.string(),
      org_id: z.number().int(),
      disabled: z.boolean(),
      jsonData: z.record(z.string(), z.unknown()),
      secureJsonData: z.record(z.string(), envRef),
    }),
  ),
});

export const datasourcesFile = z.strictObject({
  apiVersion: z.literal(1),
  datasources: z.array(
    z.strictObject({
      name: z.string().min(1),
      uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
      type: z.string().min(1),
      access: z.enum(['proxy', 'direct']),
      orgId: z.number().int(),
      url: envRef.optional(),
      isDefault: z.boolean(),
      editable: z.boolean(),
      jsonData: z.record(z.string(), z.unknown()),
      secureJsonData: z.record(z.string(), envRef).optional(),
    }),
  ),
});

export const dashboardProviderFile = z.strictObject({
  apiVersion: z.literal(1),
  providers: z.array(
    z.strictObject({
      name: z.string(),
      orgId: z.number().int(),
      folder: z.string(),
      folderUid: z.string(),
      type: z.literal('file'),
      disableDeletion: z.boolean(),
      allowUiUpdates: z.boolean(),
      updateIntervalSeconds: z.number().int().positive(),
      options: z.strictObject({ path: z.string(), foldersFromFilesStructure: z.boolean() }),
    }),
  ),
});

const alertQuery = z.strictObject({
  refId: z.string(),
  datasourceUid: z.string(),
  relativeTimeRange: z.strictObject({ from: z.number(), to: z.number() }).optional(),
  model: z.looseObject({ refId: z.string(), datasource: z.strictObject({ type: z.string(), uid: z.string() }) }),
});

export const alertRulesFile = z.strictObject({
  apiVersion: z.literal(1),
  groups: z.array(
    z.strictObject({
      orgId: z.number().int(),
      name: z.string(),
      folder: z.string(),
      interval: duration,
      rules: z.array(
        z.strictObject({
          uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
          title: z.string().min(1).max(190),
          condition: z.string(),
          data: z.array(alertQuery).min(1),
          noDataState: z.enum(['OK', 'NoData', 'Alerting', 'KeepLast']),
          execErrState: z.enum(['OK', 'Error', 'Alerting', 'KeepLast']),
          for: duration,
          labels: labelMap,
          annotations: z.record(z.string(), z.string()),
          isPaused: z.boolean(),
        }),
      ),
    }),
  ),
});

export const contactPointsFile = z.strictObject({
  apiVersion: z.literal(1),
  contactPoints: z.array(
    z.strictObject({
      orgId: z.number().int(),
      name: z.string(),
      receivers: z.array(
        z.strictObject({
          uid: z.string(),
          type: z.enum(['webhook', 'email']),
          settings: z.record(z.string(), z.unknown()),
          disableResolveMessage: z.boolean(),
        }),
      ),
    }),
  ),
});

interface Policy {
  receiver?: string;
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  object_matchers?: string[][];
  continue?: boolean;
  routes?: Policy[];
}
const policy: z.ZodType<Policy> = z.lazy(() =>
  z.strictObject({
    receiver: z.string().optional(),
    group_by: z.array(z.string()).optional(),
    group_wait: duration.optional(),
    group_interval: duration.optional(),
    repeat_interval: duration.optional(),
    object_matchers: z.array(z.tuple([z.string(), z.enum(['=', '!=', '=~', '!~']), z.string()])).optional(),
    continue: z.boolean().optional(),
    routes: z.array(policy).optional(),
  }),
);
export const policiesFile = z.strictObject({
  apiVersion: z.literal(1),
  policies: z.array(z.intersection(z.strictObject({ orgId: z.number().int() }).loose(), policy)),
});

const gridPos = z.strictObject({
  x: z.number().int().min(0).max(23),
  y: z.number().int().min(0),
  w: z.number().int().min(1).max(24),
  h: z.number().int().min(1),
});

const panel = z.looseObject({
  type: z.string().min(1),
  id: z.number().int().positive(),
  title: z.string().min(1),
  gridPos,
  datasource: z.strictObject({ type: z.string(), uid: z.string() }).optional(),
  targets: z
    .array(z.looseObject({ refId: z.string(), datasource: z.strictObject({ type: z.string(), uid: z.string() }) }))
    .optional(),
  fieldConfig: z
    .looseObject({ defaults: z.record(z.string(), z.unknown()), overrides: z.array(z.unknown()) })
    .optional(),
  options: z.record(z.string(), z.unknown()).optional(),
});

export const dashboardJson = z.looseObject({
  uid: z.string().regex(/^[a-zA-Z0-9_-]{1,40}$/),
  title: z.string().min(1),
  schemaVersion: z.number().int().min(36),
  editable: z.boolean(),
  time: z.strictObject({ from: z.string(), to: z.string() }),
  panels: z.array(
    z.union([panel, z.looseObject({ type: z.literal('row'), id: z.number(), title: z.string(), gridPos })]),
  ),
  // Grafana writes both as `{ "list": [...] }` (its dashboard save model); `{}` is not that shape.
  templating: z.looseObject({ list: z.array(z.unknown()) }),
  annotations: z.looseObject({ list: z.array(z.unknown()) }),
});

export type DashboardJson = z.infer<typeof dashboardJson>;

/** Prometheus rule file (promtool checks expressions; this checks the shape and names). */
export const promRuleFile = z.strictObject({
  groups: z.array(
    z.strictObject({
      name: z.string(),
      interval: duration.optional(),
      rules: z.array(
        z.union([
          z.strictObject({ record: z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/), expr: z.string() }),
          z.strictObject({
            alert: z.string().regex(/^[A-Z][A-Za-z]+$/),
            expr: z.string(),
            for: duration,
            labels: z.strictObject({ severity: z.enum(['critical', 'warning', 'info']) }),
            annotations: z.strictObject({ summary: z.string(), description: z.string() }),
          }),
        ]),
      ),
    }),
  ),
});
