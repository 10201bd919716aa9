import React, { type ChangeEvent } from 'react';
import type { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput } from '@grafana/ui';
import type { VoiceDataSourceOptions, VoiceSecureJsonData } from '../types';

type Props = DataSourcePluginOptionsEditorProps<VoiceDataSourceOptions, VoiceSecureJsonData>;

/** Server URL (jsonData, used by the proxy route) and API token (secureJsonData, never sent back to the browser). */
export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const onUrlChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, url: event.target.value.trim() } });

  const onTokenChange = (event: ChangeEvent<HTMLInputElement>) =>
    onOptionsChange({ ...options, secureJsonData: { apiToken: event.target.value } });

  const onTokenReset = () =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...secureJsonFields, apiToken: false },
      secureJsonData: { ...secureJsonData, apiToken: '' },
    });

  return (
    <FieldSet label="voice-agent-api">
      <Field
        label="URL"
        description="Where Grafana's server reaches the voice-agent-api, e.g. http://voice-agent-api:5000"
        required
      >
        <Input
          id="voiceagent-url"
          width={60}
          value={jsonData.url ?? ''}
          placeholder="http://voice-agent-api:5000"
          onChange={onUrlChange}
        />
      </Field>
      <Field
        label="API token"
        description="The server's API_TOKEN; Grafana's proxy sends it as a bearer token"
        required
      >
        <SecretInput
          id="voiceagent-token"
          width={60}
          isConfigured={Boolean(secureJsonFields?.apiToken)}
          value={secureJsonData.apiToken ?? ''}
          placeholder="API token"
          onChange={onTokenChange}
          onReset={onTokenReset}
        />
      </Field>
    </FieldSet>
  );
}
