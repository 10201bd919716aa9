/**
 * Grafana's data sources as its HTTP API serves them (pkg/api/datasources.go): provisioned ones are
 * ReadOnly when `editable` is false and answer PUT/DELETE with 403 "Cannot update read-only data source"
 * / "Cannot delete read-only data source"; secureJsonData never leaves the server, only
 * `secureJsonFields` (the keys with a non-empty value); an update keeps secrets it does not resend.
 */
import type { ProvisionedDataSource } from './provisioning';

export interface DataSourceRecord {
  id: number;
  uid: string;
  orgId: number;
  name: string;
  type: string;
  access: 'proxy' | 'direct';
  url: string;
  isDefault: boolean;
  readOnly: boolean;
  basicAuth: boolean;
  jsonData: Record<string, unknown>;
  secureJsonData: Record<string, string>;
  version: number;
}

export interface ApiAnswer {
  status: number;
  body: unknown;
}

const error = (status: number, message: string): ApiAnswer => ({ status, body: { message } });

/** A Grafana short uid: letters, digits, '-' and '_' (util.IsValidShortUID), at most 40 characters. */
const VALID_UID = /^[a-zA-Z0-9\-_]{1,40}$/;

export class DataSourceStore {
  private readonly records: DataSourceRecord[] = [];
  private nextId = 1;

  constructor(provisioned: ProvisionedDataSource[]) {
    for (const ds of provisioned) {
      this.records.push({ ...ds, id: this.nextId++, version: 1 });
    }
  }

  list(): DataSourceRecord[] {
    return [...this.records];
  }

  byUid(uid: string): DataSourceRecord | undefined {
    return this.records.find((d) => d.uid === uid);
  }

  /** convertModelToDtos */
  dto(ds: DataSourceRecord, typeLogoUrl: string): Record<string, unknown> {
    const { secureJsonData, ...rest } = ds;
    return {
      ...rest,
      typeLogoUrl,
      user: '',
      database: '',
      basicAuthUser: '',
      withCredentials: false,
      apiVersion: '',
      secureJsonFields: Object.fromEntries(
        Object.entries(secureJsonData)
          .filter(([, v]) => v.length > 0)
          .map(([k]) => [k, true]),
      ),
    };
  }

  add(cmd: Partial<DataSourceRecord>): ApiAnswer | { record: DataSourceRecord } {
    if (!cmd.name || !cmd.type) return error(400, 'bad request data');
    if (this.records.some((d) => d.name === cmd.name))
      return error(409, 'data source with the same name already exists');
    const uid = cmd.uid || `standin-${this.nextId}`;
    if (!VALID_UID.test(uid)) return error(400, 'bad request data');
    if (this.byUid(uid)) return error(409, 'data source with the same uid already exists');
    const record: DataSourceRecord = {
      id: this.nextId++,
      uid,
      orgId: 1,
      name: cmd.name,
      type: cmd.type,
      access: cmd.access === 'direct' ? 'direct' : 'proxy',
      url: cmd.url ?? '',
      isDefault: cmd.isDefault ?? this.records.length === 0,
      readOnly: false,
      basicAuth: cmd.basicAuth ?? false,
      jsonData: cmd.jsonData ?? {},
      secureJsonData: cmd.secureJsonData ?? {},
      version: 1,
    };
    this.records.push(record);
    return { record };
  }

  update(uid: string, cmd: Partial<DataSourceRecord>): ApiAnswer | { record: DataSourceRecord } {
    const ds = this.byUid(uid);
    if (!ds) return error(404, 'Data source not found');
    if (ds.readOnly) return error(403, 'Cannot update read-only data source');
    Object.assign(ds, {
      name: cmd.name ?? ds.name,
      type: cmd.type ?? ds.type,
      access: cmd.access ?? ds.access,
      url: cmd.url ?? '',
      isDefault: cmd.isDefault ?? ds.isDefault,
      basicAuth: cmd.basicAuth ?? false,
      jsonData: cmd.jsonData ?? {},
      // Secrets not sent again are kept (datasources service fillWithSecureJSONData).
      secureJsonData: { ...ds.secureJsonData, ...(cmd.secureJsonData ?? {}) },
      version: ds.version + 1,
    });
    return { record: ds };
  }

  remove(uid: string): ApiAnswer {
    const ds = this.byUid(uid);
    if (!ds) return error(404, 'Data source not found');
    if (ds.readOnly) return error(403, 'Cannot delete read-only data source');
    this.records.splice(this.records.indexOf(ds), 1);
    return { status: 200, body: { message: 'Data source deleted', id: ds.id } };
  }
}
