import { QUERY_KINDS as CONTRACT_KINDS } from '@mwva/contract';
import type { QueryKindName } from './types';

/** What the query editor offers for each kind: the contract's list, as Grafana's select options. */
export const QUERY_KINDS: Array<{ value: QueryKindName; label: string; description: string }> = CONTRACT_KINDS.map(
  ({ kind, label, description }) => ({ value: kind, label, description })
);
