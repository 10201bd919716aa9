import { useCallback, useEffect, useRef, useState } from 'react';
import {
  type DataFrame,
  type DataQueryError,
  type DataQueryRequest,
  type DataQueryResponse,
  dateTime,
  type TimeRange,
} from '@grafana/data';
import { getDataSourceSrv } from '@grafana/runtime';
import { isObservable, lastValueFrom, type Observable } from 'rxjs';
import { DATASOURCE_TYPE, PLUGIN_ID } from '../constants';
import type { VoiceDataSource } from '../datasource/datasource';
import type { VoiceQuery, VoiceQueryInput } from '../datasource/types';
import { useRange } from './range';

/** A page's query: a refId plus one kind of the server's contract. */
export type QuerySpec = { refId: string } & VoiceQueryInput;

export interface VoiceQueryState {
  /** Frames per refId. */
  frames: Record<string, DataFrame[]>;
  errors: DataQueryError[];
  loading: boolean;
  /** No data source of our type is configured. */
  missingDatasource: boolean;
  updatedAt?: number;
  reload: () => void;
}

/** The first data source of the app's nested type (the AppConfig page creates it). */
export async function getVoiceDataSource(): Promise<VoiceDataSource | null> {
  const [settings] = getDataSourceSrv().getList({ type: DATASOURCE_TYPE });
  if (!settings) {
    return null;
  }
  return (await getDataSourceSrv().get({ uid: settings.uid, type: DATASOURCE_TYPE })) as unknown as VoiceDataSource;
}

interface Options {
  /** Override the page range (e.g. "today"); defaults to now − the selected range. */
  range?: () => TimeRange;
  /** Bucket size; defaults to ~120 points over the range, at least a minute. */
  intervalMs?: number;
  /** Skip running (e.g. a search box that is still empty). */
  enabled?: boolean;
}

/** Runs the queries through the nested data source, refreshing on the app's interval. */
export function useVoiceQuery(queries: QuerySpec[], options: Options = {}): VoiceQueryState {
  const { rangeMs, refreshMs } = useRange();
  const [state, setState] = useState<Omit<VoiceQueryState, 'reload'>>({
    frames: {},
    errors: [],
    loading: true,
    missingDatasource: false,
  });
  const key = JSON.stringify(queries);
  const latest = useRef(0);
  const enabled = options.enabled ?? true;
  const { range: rangeOverride, intervalMs: fixedInterval } = options;

  const run = useCallback(async () => {
    if (!enabled) {
      return;
    }
    const ticket = ++latest.current;
    try {
      const ds = await getVoiceDataSource();
      if (!ds) {
        setState({ frames: {}, errors: [], loading: false, missingDatasource: true });
        return;
      }
      const range = rangeOverride?.() ?? lastRange(rangeMs);
      const span = range.to.valueOf() - range.from.valueOf();
      const intervalMs = fixedInterval ?? Math.max(60_000, Math.ceil(span / 120 / 60_000) * 60_000);
      const request = {
        app: PLUGIN_ID,
        requestId: `mwva-${ticket}`,
        interval: `${Math.round(intervalMs / 1000)}s`,
        intervalMs,
        maxDataPoints: 500,
        range,
        scopedVars: {},
        targets: JSON.parse(key) as VoiceQuery[],
        timezone: 'browser',
        startTime: Date.now(),
      } as DataQueryRequest<VoiceQuery>;
      const result = ds.query(request);
      const response: DataQueryResponse = isObservable(result)
        ? await lastValueFrom(result as Observable<DataQueryResponse>)
        : await (result as Promise<DataQueryResponse>);
      if (ticket !== latest.current) {
        return;
      }
      const frames: Record<string, DataFrame[]> = {};
      for (const frame of response.data as DataFrame[]) {
        const refId = frame.refId ?? 'A';
        (frames[refId] ??= []).push(frame);
      }
      setState({
        frames,
        errors: response.errors ?? [],
        loading: false,
        missingDatasource: false,
        updatedAt: Date.now(),
      });
    } catch (error) {
      if (ticket === latest.current) {
        const message = error instanceof Error ? error.message : String(error);
        setState((s) => ({ ...s, loading: false, errors: [{ message }] }));
      }
    }
  }, [key, rangeMs, enabled, rangeOverride, fixedInterval]);

  useEffect(() => {
    // Queries start outside the effect body (state changes only when answers arrive).
    const first = setTimeout(run, 0);
    const timer = refreshMs ? setInterval(run, refreshMs) : undefined;
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, [run, refreshMs]);

  return { ...state, loading: enabled && state.loading, reload: run };
}

export function lastRange(ms: number): TimeRange {
  const to = dateTime();
  const from = dateTime(to.valueOf() - ms);
  return { from, to, raw: { from, to } };
}

/** Since midnight UTC (the server buckets days in UTC). */
export function todayRange(): TimeRange {
  const to = dateTime();
  const midnight = new Date(to.valueOf());
  midnight.setUTCHours(0, 0, 0, 0);
  const from = dateTime(midnight.getTime());
  return { from, to, raw: { from, to } };
}
