import React, { type FormEvent, useEffect, useState } from 'react';
import { lastValueFrom } from 'rxjs';
import type { AppPluginMeta, PluginConfigPageProps } from '@grafana/data';
import { getBackendSrv, getDataSourceSrv } from '@grafana/runtime';
import { Alert, Button, Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import { DATASOURCE_NAME, DATASOURCE_TYPE } from '../../constants';
import type { VoiceDataSourceOptions } from '../../datasource/types';
import { testIds } from '../testIds';

export interface AppConfigProps extends PluginConfigPageProps<AppPluginMeta<{}>> {}

interface DataSourceSettings {
  id?: number;
  uid: string;
  name: string;
  type: string;
  access: string;
  jsonData: VoiceDataSourceOptions;
  secureJsonFields?: Record<string, boolean>;
  /** Provisioned with editable: false: Grafana answers 403 to any save. */
  readOnly?: boolean;
  [key: string]: unknown;
}

type Status = { severity: 'success' | 'error'; message: string } | null;

const api = async <T,>(method: string, url: string, data?: unknown): Promise<T> =>
  (await lastValueFrom(getBackendSrv().fetch<T>({ method, url, data, showSuccessAlert: false }))).data;

/**
 * The server URL and token live in the nested data source (jsonData.url, secureJsonData.apiToken):
 * that is what Grafana's proxy reads. This page creates that data source or updates it, then tests it.
 */
const AppConfig = (_props: AppConfigProps) => {
  const [existing, setExisting] = useState<DataSourceSettings | null>(null);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [tokenSet, setTokenSet] = useState(false);
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const [ref] = getDataSourceSrv().getList({ type: DATASOURCE_TYPE });
    if (!ref) {
      return;
    }
    api<DataSourceSettings>('GET', `/api/datasources/uid/${ref.uid}`)
      .then((ds) => {
        setExisting(ds);
        setUrl(ds.jsonData?.url ?? '');
        setTokenSet(Boolean(ds.secureJsonFields?.apiToken));
      })
      .catch((e) =>
        setStatus({ severity: 'error', message: `Could not read the data source: ${String(e?.data?.message ?? e)}` })
      );
  }, []);

  const canSave = Boolean(url.trim()) && (tokenSet || Boolean(token));
  const readOnly = Boolean(existing?.readOnly);

  const runHealthCheck = async (uid: string) => {
    const ds = await getDataSourceSrv().get({ uid, type: DATASOURCE_TYPE });
    const result = await ds.testDatasource();
    setStatus({ severity: result.status === 'success' ? 'success' : 'error', message: result.message });
  };

  const onTest = async () => {
    if (!existing) {
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      await runHealthCheck(existing.uid);
    } catch (e) {
      const err = e as { data?: { message?: string }; message?: string };
      setStatus({ severity: 'error', message: err.data?.message ?? err.message ?? String(e) });
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSave || readOnly) {
      return;
    }
    setBusy(true);
    setStatus(null);
    try {
      const body = {
        ...(existing ?? { name: DATASOURCE_NAME, type: DATASOURCE_TYPE, access: 'proxy' }),
        jsonData: { ...(existing?.jsonData ?? {}), url: url.trim() },
        // Only sent when typed: an untouched configured token stays as it is.
        ...(token ? { secureJsonData: { apiToken: token } } : {}),
      };
      const saved = existing
        ? await api<{ datasource: DataSourceSettings }>('PUT', `/api/datasources/uid/${existing.uid}`, body)
        : await api<{ datasource: DataSourceSettings }>('POST', '/api/datasources', body);
      setExisting(saved.datasource);
      setToken('');
      setTokenSet(true);
      await getDataSourceSrv().reload?.();
      await runHealthCheck(saved.datasource.uid);
    } catch (e) {
      const err = e as { data?: { message?: string }; message?: string };
      setStatus({ severity: 'error', message: err.data?.message ?? err.message ?? String(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={onSubmit}>
      {readOnly && (
        <div data-testid={testIds.appConfig.readOnly}>
          {/* Grafana's own wording for a provisioned data source (DataSourceReadOnlyMessage). */}
          <Alert severity="info" title="Provisioned data source">
            This data source was added by config and cannot be modified using the UI. Please contact your server admin
            to update this data source. Its server URL and token come from provisioning (VOICE_AGENT_API_URL,
            VOICE_AGENT_API_TOKEN in Grafana&apos;s environment).
          </Alert>
        </div>
      )}
      <FieldSet label="voice-agent-api">
        <Field label="Server URL" description="Where Grafana's server reaches the voice-agent-api" required>
          <Input
            width={60}
            id="mwva-config-url"
            data-testid={testIds.appConfig.url}
            value={url}
            disabled={readOnly}
            placeholder="http://voice-agent-api:5000"
            onChange={(e) => setUrl(e.currentTarget.value)}
          />
        </Field>
        <Field
          label="API token"
          description="The server's API_TOKEN; kept encrypted by Grafana, never sent to browsers"
          required
        >
          <SecretInput
            width={60}
            id="mwva-config-token"
            data-testid={testIds.appConfig.token}
            value={token}
            isConfigured={tokenSet}
            disabled={readOnly}
            placeholder="API token"
            onChange={(e) => setToken(e.currentTarget.value)}
            onReset={() => {
              setToken('');
              setTokenSet(false);
            }}
          />
        </Field>
        {readOnly ? (
          <Button type="button" data-testid={testIds.appConfig.test} disabled={busy} onClick={onTest}>
            Test connection
          </Button>
        ) : (
          <Button type="submit" data-testid={testIds.appConfig.submit} disabled={!canSave || busy}>
            {existing ? 'Save and test' : 'Create data source and test'}
          </Button>
        )}
      </FieldSet>
      {status && (
        <div data-testid={testIds.appConfig.status}>
          <Alert severity={status.severity} title={status.severity === 'success' ? 'Connected' : 'Not connected'}>
            {status.message}
          </Alert>
        </div>
      )}
    </form>
  );
};

export default AppConfig;
