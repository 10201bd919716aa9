import { dateTime, type DataQueryRequest, type DataSourceInstanceSettings, LoadingState } from '@grafana/data';
import { of, throwError } from 'rxjs';
import { VoiceDataSource, describeHealth } from './datasource';
import type { VoiceDataSourceOptions, VoiceQuery } from './types';

const fetchMock = jest.fn();
const replaceMock = jest.fn((s: string) => s.replace('$call', '11111111-1111-4111-8111-111111111111'));

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch: fetchMock }),
  getTemplateSrv: () => ({ replace: replaceMock }),
}));

const settings = {
  id: 1,
  uid: 'voice',
  type: 'magnificentworldwide-voiceagent-datasource',
  name: 'Voice',
  url: '/api/datasources/proxy/uid/voice',
  jsonData: { url: 'http://voice-agent-api:5000' },
  meta: {},
  access: 'proxy',
  readOnly: false,
} as unknown as DataSourceInstanceSettings<VoiceDataSourceOptions>;

function request(targets: VoiceQuery[]): DataQueryRequest<VoiceQuery> {
  const from = dateTime('2026-01-01T00:00:00Z');
  const to = dateTime('2026-01-01T06:00:00Z');
  return {
    requestId: 'r1',
    interval: '1m',
    intervalMs: 60_000.4,
    maxDataPoints: 500,
    range: { from, to, raw: { from, to } },
    scopedVars: {},
    targets,
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  };
}

const ok = (data: unknown) => of({ data, status: 200, ok: true });
const fail = (status: number, data: unknown) =>
  throwError(() => ({ status, data, statusText: 'err', config: { url: '' } }));

beforeEach(() => {
  fetchMock.mockReset();
  replaceMock.mockClear();
});

describe('VoiceDataSource.query', () => {
  it('posts our query model through the data-source proxy route', async () => {
    fetchMock.mockReturnValue(ok({ results: { A: { frames: [] } } }));
    const ds = new VoiceDataSource(settings);
    await ds.query(
      request([
        { refId: 'A', kind: 'call_volume', groupBy: 'outcome', datasource: { uid: 'voice' } } as VoiceQuery,
        { refId: 'H', kind: 'active_calls', hide: true } as VoiceQuery,
      ])
    );
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const options = fetchMock.mock.calls[0][0];
    expect(options.url).toBe('/api/datasources/proxy/uid/voice/voiceagent/api/grafana/query');
    expect(options.method).toBe('POST');
    // No token from the browser: the proxy route adds it.
    expect(options.headers?.Authorization).toBeUndefined();
    expect(options.data).toEqual({
      range: { from: '2026-01-01T00:00:00.000Z', to: '2026-01-01T06:00:00.000Z' },
      intervalMs: 60_000,
      maxDataPoints: 500,
      queries: [{ refId: 'A', kind: 'call_volume', groupBy: 'outcome' }],
    });
  });

  it('fills dashboard variables in text options', async () => {
    fetchMock.mockReturnValue(ok({ results: { T: { frames: [] } } }));
    await new VoiceDataSource(settings).query(
      request([{ refId: 'T', kind: 'transcript', callId: '$call' } as VoiceQuery])
    );
    expect(fetchMock.mock.calls[0][0].data.queries[0].callId).toBe('11111111-1111-4111-8111-111111111111');
  });

  it('maps frames per refId and reports a failed query without failing the others', async () => {
    fetchMock.mockReturnValue(
      ok({
        results: {
          A: { frames: [{ schema: { fields: [{ name: 'active', type: 'number' }] }, data: { values: [[7]] } }] },
          B: { frames: [], error: 'callId: expected a UUID', status: 400 },
        },
      })
    );
    const response = await new VoiceDataSource(settings).query(
      request([
        { refId: 'A', kind: 'active_calls' } as VoiceQuery,
        { refId: 'B', kind: 'transcript', callId: 'x' } as VoiceQuery,
      ])
    );
    expect(response.data).toHaveLength(1);
    expect(response.data[0].refId).toBe('A');
    expect(response.data[0].fields[0].values).toEqual([7]);
    expect(response.errors).toEqual([{ refId: 'B', message: 'callId: expected a UUID', status: 400 }]);
    expect(response.state).toBe(LoadingState.Error);
  });

  it('does not call the server when every query is hidden', async () => {
    const response = await new VoiceDataSource(settings).query(
      request([{ refId: 'A', kind: 'active_calls', hide: true } as VoiceQuery])
    );
    expect(fetchMock).not.toHaveBeenCalled();
    expect(response.data).toEqual([]);
  });

  it('turns a refused token into a readable error', async () => {
    fetchMock.mockReturnValue(fail(401, { error: 'unauthorized' }));
    await expect(
      new VoiceDataSource(settings).query(request([{ refId: 'A', kind: 'active_calls' } as VoiceQuery]))
    ).rejects.toThrow(/refused the token \(HTTP 401\)/);
  });

  it('passes the server message on other failures', async () => {
    fetchMock.mockReturnValue(fail(400, { error: 'range.from: invalid datetime' }));
    await expect(
      new VoiceDataSource(settings).query(request([{ refId: 'A', kind: 'active_calls' } as VoiceQuery]))
    ).rejects.toThrow('voice-agent-api answered HTTP 400: range.from: invalid datetime');
  });
});

describe('VoiceDataSource.testDatasource', () => {
  it('calls GET /api/grafana/health and names the stores', async () => {
    fetchMock.mockReturnValue(
      ok({
        status: 'ok',
        message: 'Connected: postgres (native), redis (native)',
        stores: [
          { store: 'postgres', kind: 'native', ok: true, latencyMs: 2 },
          { store: 'redis', kind: 'native', ok: true, latencyMs: 1 },
        ],
      })
    );
    const result = await new VoiceDataSource(settings).testDatasource();
    expect(fetchMock.mock.calls[0][0].url).toBe('/api/datasources/proxy/uid/voice/voiceagent/api/grafana/health');
    expect(result).toEqual({
      status: 'success',
      message: 'Connected to voice-agent-api. All stores answer: postgres, redis.',
    });
  });

  it('says which store is down when the server answers 503', async () => {
    fetchMock.mockReturnValue(
      fail(503, {
        status: 'error',
        message: 'Not answering: neo4j (connection refused)',
        stores: [
          { store: 'postgres', kind: 'native', ok: true, latencyMs: 2 },
          { store: 'neo4j', kind: 'native', ok: false, latencyMs: 1500, error: 'connection refused' },
        ],
      })
    );
    const result = await new VoiceDataSource(settings).testDatasource();
    expect(result.status).toBe('error');
    expect(result.message).toContain('HTTP 503');
    expect(result.message).toContain('Down: neo4j.');
  });

  it('explains an unreachable server', async () => {
    fetchMock.mockReturnValue(fail(502, 'Bad Gateway'));
    const result = await new VoiceDataSource(settings).testDatasource();
    expect(result).toEqual({
      status: 'error',
      message: expect.stringContaining('unreachable from Grafana (HTTP 502)'),
    });
  });
});

describe('VoiceDataSource.metricFindQuery', () => {
  it('reads a template variable from GET /api/grafana/variables/:name', async () => {
    fetchMock.mockReturnValue(ok([{ text: 'CFO', value: 'cfo' }]));
    const values = await new VoiceDataSource(settings).metricFindQuery('personas');
    expect(fetchMock.mock.calls[0][0].url).toBe(
      '/api/datasources/proxy/uid/voice/voiceagent/api/grafana/variables/personas'
    );
    expect(values).toEqual([{ text: 'CFO', value: 'cfo' }]);
  });

  it('reads a variable named by object, and ignores an empty query', async () => {
    fetchMock.mockReturnValue(ok([{ text: 'inbound', value: 'inbound' }]));
    const ds = new VoiceDataSource(settings);
    expect(await ds.metricFindQuery('')).toEqual([]);
    expect(await ds.metricFindQuery({ name: 'directions' })).toEqual([{ text: 'inbound', value: 'inbound' }]);
  });
});

describe('describeHealth', () => {
  it('names the stores that are down, from the health response of the contract', () => {
    const stores = [
      { store: 'postgres', kind: 'embedded', ok: true, latencyMs: 1 },
      { store: 'chroma', kind: 'embedded', ok: false, latencyMs: 1500, error: 'timeout' },
    ];
    expect(describeHealth({ status: 'error', message: 'Not answering: chroma', stores })).toBe('Down: chroma.');
  });
  it('is empty for bodies that are not a health response', () => {
    expect(describeHealth('nope')).toBe('');
    expect(describeHealth({ stores: { postgres: true } })).toBe('');
  });
});
