/**
 * Reads <provisioning>/{datasources,plugins,dashboards,alerting} as Grafana's provisioning service
 * does at start-up (pkg/services/provisioning): *.yaml / *.yml files, the v1 field names, every
 * value interpolated (values.go), and the same fatal errors — Grafana exits when any of these fail:
 *  - "Datasource provisioning error: …" (e.g. two defaults in one org);
 *  - "app provisioning error: plugin not installed: \"<id>\"" (plugins/config_reader.go);
 *  - "Failed to provision alerting: …" when a contact point does not validate (an empty webhook
 *    url or e-mail addresses: "required field 'url' is not specified", "could not find addresses in settings").
 */
import path from 'node:path';
import { parse } from 'yaml';
import type { ContainerFs } from './container-fs';
import { type ExpansionContext, interpolateTree, scalarBool, scalarInt, scalarString } from './interpolate';

export class ProvisioningError extends Error {}

export interface ProvisionedDataSource {
  orgId: number;
  name: string;
  type: string;
  access: 'proxy' | 'direct';
  url: string;
  uid: string;
  isDefault: boolean;
  /** Provisioned with editable: false → ReadOnly in Grafana's store (types.go createInsertCommand). */
  readOnly: boolean;
  basicAuth: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  /** The file it came from (container path). */
  file: string;
}

export interface ProvisionedApp {
  orgId: number;
  pluginId: string;
  enabled: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  file: string;
}

export interface ProvisionedDashboard {
  uid: string;
  title: string;
  folder: string;
  folderUid: string;
  allowUiUpdates: boolean;
  json: Record<string, unknown>;
  file: string;
}

export interface ContactPoint {
  orgId: number;
  name: string;
  receivers: Array<{ uid: string; type: string; settings: Record<string, unknown> }>;
}

type Yaml = Record<string, unknown>;

function yamlFiles(fs: ContainerFs, dir: string): string[] {
  // Like Grafana: a missing folder is logged, not fatal.
  if (!fs.isDirectory(dir)) return [];
  return fs
    .list(dir)
    .filter((n) => n.endsWith('.yaml') || n.endsWith('.yml'))
    .map((n) => path.posix.join(dir, n));
}

function readYaml(fs: ContainerFs, file: string): Yaml | null {
  try {
    return (parse(fs.readText(file)) as Yaml | null) ?? null;
  } catch (error) {
    throw new ProvisioningError(`${file}: ${(error as Error).message}`);
  }
}

const list = (v: unknown): Yaml[] => (Array.isArray(v) ? (v as Yaml[]) : []);
const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** datasources.go safeUIDFromName is used when uid is empty; the stand-in requires provisioned uids instead. */
export function readDatasources(fs: ContainerFs, dir: string, ctx: ExpansionContext): ProvisionedDataSource[] {
  const out: ProvisionedDataSource[] = [];
  try {
    for (const file of yamlFiles(fs, dir)) {
      const doc = readYaml(fs, file);
      if (!doc) continue;
      if (scalarInt(doc.apiVersion, ctx) < 1) {
        throw new ProvisioningError(
          `${file}: the stand-in reads apiVersion 1 files only (Grafana still accepts the deprecated v0)`,
        );
      }
      for (const ds of list(doc.datasources)) {
        const access = scalarString(ds.access, ctx) || 'proxy';
        out.push({
          orgId: scalarInt(ds.orgId, ctx) || 1,
          name: scalarString(ds.name, ctx),
          type: scalarString(ds.type, ctx),
          access: access === 'direct' ? 'direct' : 'proxy',
          url: scalarString(ds.url, ctx),
          uid: scalarString(ds.uid, ctx),
          isDefault: scalarBool(ds.isDefault, ctx),
          readOnly: !scalarBool(ds.editable, ctx),
          basicAuth: scalarBool(ds.basicAuth, ctx),
          jsonData: record(interpolateTree(record(ds.jsonData), ctx)),
          secureJsonData: Object.fromEntries(
            Object.entries(record(ds.secureJsonData)).map(([k, v]) => [k, scalarString(v, ctx)]),
          ),
          file,
        });
      }
    }
  } catch (error) {
    throw wrap('Datasource provisioning error', error);
  }
  const defaults = new Map<number, number>();
  for (const ds of out.filter((d) => d.isDefault)) {
    defaults.set(ds.orgId, (defaults.get(ds.orgId) ?? 0) + 1);
    if (defaults.get(ds.orgId)! > 1) {
      throw new ProvisioningError(
        'Datasource provisioning error: datasource.yaml config is invalid. Only one datasource per organization can be marked as default',
      );
    }
  }
  return out;
}

export function readApps(
  fs: ContainerFs,
  dir: string,
  ctx: ExpansionContext,
  installed: (id: string) => boolean,
): ProvisionedApp[] {
  const out: ProvisionedApp[] = [];
  try {
    for (const file of yamlFiles(fs, dir)) {
      const doc = readYaml(fs, file);
      list(doc?.apps).forEach((app, index) => {
        const pluginId = scalarString(app.type, ctx);
        if (!pluginId)
          throw new ProvisioningError(`app item ${index + 1} in configuration doesn't contain required field type`);
        out.push({
          orgId: scalarInt(app.org_id, ctx) || 1,
          pluginId,
          enabled: !scalarBool(app.disabled, ctx),
          jsonData: record(interpolateTree(record(app.jsonData), ctx)),
          secureJsonData: Object.fromEntries(
            Object.entries(record(app.secureJsonData)).map(([k, v]) => [k, scalarString(v, ctx)]),
          ),
          file,
        });
      });
    }
    for (const app of out) {
      if (!installed(app.pluginId)) throw new ProvisioningError(`plugin not installed: "${app.pluginId}"`);
    }
  } catch (error) {
    throw wrap('app provisioning error', error);
  }
  return out;
}

export function readDashboards(fs: ContainerFs, dir: string, ctx: ExpansionContext): ProvisionedDashboard[] {
  const out: ProvisionedDashboard[] = [];
  try {
    for (const file of yamlFiles(fs, dir)) {
      for (const provider of list(readYaml(fs, file)?.providers)) {
        if ((scalarString(provider.type, ctx) || 'file') !== 'file') continue;
        const options = record(interpolateTree(record(provider.options), ctx));
        const folderPath = String(options.path ?? '');
        if (!fs.isDirectory(folderPath)) {
          throw new ProvisioningError(
            `provider ${scalarString(provider.name, ctx)}: cannot read directory ${folderPath}`,
          );
        }
        for (const name of fs.list(folderPath).filter((n) => n.endsWith('.json'))) {
          const jsonFile = path.posix.join(folderPath, name);
          const json = JSON.parse(fs.readText(jsonFile)) as Record<string, unknown>;
          const title = String(json.title ?? '');
          if (!title) throw new ProvisioningError(`${jsonFile}: dashboard title cannot be empty`);
          out.push({
            uid: String(json.uid ?? ''),
            title,
            folder: scalarString(provider.folder, ctx),
            folderUid: scalarString(provider.folderUid, ctx),
            allowUiUpdates: scalarBool(provider.allowUiUpdates, ctx),
            json,
            file: jsonFile,
          });
        }
      }
    }
  } catch (error) {
    throw wrap('Failed to provision dashboards', error);
  }
  return out;
}

/** The receiver checks Grafana's notifiers run on provisioned contact points (grafana/alerting receivers). */
const RECEIVER_CHECKS: Record<string, (settings: Record<string, unknown>) => string | null> = {
  webhook: (s) => (s.url ? null : "required field 'url' is not specified"),
  email: (s) => (s.addresses ? null : 'could not find addresses in settings'),
};

export function readContactPoints(fs: ContainerFs, dir: string, ctx: ExpansionContext): ContactPoint[] {
  const out: ContactPoint[] = [];
  try {
    for (const file of yamlFiles(fs, dir)) {
      for (const cp of list(readYaml(fs, file)?.contactPoints)) {
        const name = scalarString(cp.name, ctx);
        const receivers = list(cp.receivers).map((r) => {
          const type = scalarString(r.type, ctx);
          const uid = scalarString(r.uid, ctx);
          const settings = record(interpolateTree(record(r.settings), ctx));
          const problem = RECEIVER_CHECKS[type]?.(settings);
          if (problem) {
            throw new ProvisioningError(
              `failure to map file ${path.posix.basename(file)}: failure parsing contact points: ` +
                `${name}: failed to validate integration "${name}" (UID ${uid}) of type "${type}": ${problem}`,
            );
          }
          return { uid, type, settings };
        });
        out.push({ orgId: scalarInt(cp.orgId, ctx) || 1, name, receivers });
      }
    }
  } catch (error) {
    throw wrap('Failed to provision alerting', error);
  }
  return out;
}

function wrap(prefix: string, error: unknown): ProvisioningError {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ProvisioningError && message.startsWith(prefix)) return error;
  return new ProvisioningError(`${prefix}: ${message}`);
}
