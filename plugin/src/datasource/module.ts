import { DataSourcePlugin } from '@grafana/data';
import { VoiceDataSource } from './datasource';
import { ConfigEditor } from './components/ConfigEditor';
import { QueryEditor } from './components/QueryEditor';
import type { VoiceDataSourceOptions, VoiceQuery, VoiceSecureJsonData } from './types';

export const plugin = new DataSourcePlugin<VoiceDataSource, VoiceQuery, VoiceDataSourceOptions, VoiceSecureJsonData>(
  VoiceDataSource
)
  .setConfigEditor(ConfigEditor)
  .setQueryEditor(QueryEditor);
