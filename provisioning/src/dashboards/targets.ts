import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import * as prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type { VoiceQueryInput } from '@mwva/contract';
import { DATASOURCE_PLUGIN_ID, DATASOURCE_UIDS } from '../config';

export const VOICE_DS: DataSourceRef = { type: DATASOURCE_PLUGIN_ID, uid: DATASOURCE_UIDS.voice };
export const PROMETHEUS_DS: DataSourceRef = { type: 'prometheus', uid: DATASOURCE_UIDS.prometheus };

/** A panel target of the app's data source: the query contract's input shape plus Grafana's refId. */
export type VoiceDataquery = VoiceQueryInput & {
  refId: string;
  datasource: DataSourceRef;
  _implementsDataqueryVariant(): void;
};

/** The SDK's extension point for a third-party data source: a Builder of a Dataquery variant. */
export class VoiceQueryBuilder implements cog.Builder<cog.Dataquery> {
  constructor(
    private readonly query: VoiceQueryInput,
    private readonly refId = 'A',
  ) {}

  build(): VoiceDataquery {
    return { refId: this.refId, datasource: VOICE_DS, ...this.query, _implementsDataqueryVariant() {} };
  }
}

export const voice = (query: VoiceQueryInput, refId = 'A') => new VoiceQueryBuilder(query, refId);

/** A range query on Prometheus; `legend` uses Grafana's {{label}} syntax. */
export const prom = (expr: string, legend: string, refId = 'A') =>
  new prometheus.DataqueryBuilder().expr(expr).legendFormat(legend).range().refId(refId).datasource(PROMETHEUS_DS);
