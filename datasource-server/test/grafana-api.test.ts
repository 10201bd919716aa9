import type { CallRecord } from '@mwva/voice-core';
import { vectorCollection } from '@mwva/voice-core';
import { createEmbedder } from '@mwva/datasource-server';
import type { DataFrameJSON, QueryResponse } from '@mwva/contract';
import { startTestServer, type TestServer } from './helpers/server';

/**
 * The Grafana data-source API over a known data set written through voice-core. Expected
 * numbers are computed here from the data set itself, not copied from the server.
 */
describe('/api/grafana (data source API)', () => {
  let server: TestServer;
  const T0 = Date.parse('2026-03-02T10:00:00Z');
  const at = (minutes: number, seconds = 0) => new Date(T0 + minutes * 60_000 + seconds * 1000).toISOString();
  const range = { from: at(0), to: at(60) };

  const calls: CallRecord[] = Array.from({ length: 12 }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    direction: i % 3 === 0 ? 'inbound' : 'outbound',
    status: 'ended',
    from: '+15550000001',
    to: `+1555000${String(1000 + i)}`,
    persona: i % 2 ? 'cfo' : 'founder',
    campaign: 'spring',
    callControlId: `v3:${i}`,
    callSessionId: null,
    startedAt: at(i * 4, 10),
    answeredAt: i % 4 === 3 ? null : at(i * 4, 20),
    endedAt: at(i * 4 + 2),
    outcome: i % 4 === 3 ? 'no_answer' : i % 4 === 0 ? 'converted' : 'not_converted',
    hangupCause: i % 4 === 3 ? 'timeout' : 'normal_clearing',
    hangupSource: 'callee',
    costUsd: 0.01 * (i + 1),
    updatedAt: at(i * 4 + 2),
  }));

  beforeAll(async () => {
    server = await startTestServer();
    const { stores } = server;
    for (const c of calls) {
      await stores.calls.upsertCall(c);
      await stores.calls.addToRollup(c);
    }
    await stores.transcripts.appendTurn({
      callId: calls[0]!.id,
      seq: 0,
      speaker: 'agent',
      text: 'Hello there',
      startedAt: at(0, 20),
      endedAt: at(0, 22),
      confidence: null,
      intentId: 'opening',
      latencyMs: null,
    });
    await stores.transcripts.appendTurn({
      callId: calls[0]!.id,
      seq: 1,
      speaker: 'prospect',
      text: 'Too expensive for us',
      startedAt: at(0, 25),
      endedAt: at(0, 27),
      confidence: 0.9,
      intentId: 'price',
      latencyMs: null,
    });
    await stores.transcripts.appendTurn({
      callId: calls[0]!.id,
      seq: 2,
      speaker: 'agent',
      text: 'It pays for itself',
      startedAt: at(0, 27),
      endedAt: at(0, 30),
      confidence: null,
      intentId: 'price',
      latencyMs: 12.5,
    });
    await stores.calls.addTurnLatencies([3, 7, 7, 40, 120].map((latencyMs, i) => ({ at: at(1, i), latencyMs })));
    await stores.transcripts.saveUnrecognised([
      {
        callId: calls[1]!.id,
        seq: 3,
        text: 'What about the weather',
        at: at(5),
        nearestIntentId: 'timing',
        similarity: 0.21,
      },
    ]);
    const embedder = createEmbedder();
    await stores.vectors.upsert(vectorCollection('utterances', embedder), [
      {
        id: `${calls[0]!.id}:1`,
        embedding: embedder.embed('Too expensive for us'),
        document: 'Too expensive for us',
        metadata: { callId: calls[0]!.id, seq: 1 },
      },
      {
        id: `${calls[1]!.id}:1`,
        embedding: embedder.embed('Call me next quarter'),
        document: 'Call me next quarter',
        metadata: { callId: calls[1]!.id, seq: 1 },
      },
    ]);
    await stores.graph.credit('credit-a', [{ objectionId: 'price', responseId: 'price-roi' }], true);
    await stores.graph.credit('credit-b', [{ objectionId: 'price', responseId: 'price-roi' }], false);
    await stores.graph.credit('credit-c', [{ objectionId: 'price', responseId: 'price-pilot' }], true);
    await stores.graph.credit('credit-d', [{ objectionId: 'timing', responseId: 'timing-quick' }], false);
    for (const [m, overall] of [
      [10, 40],
      [11, 60],
      [40, 80],
    ] as const) {
      await stores.calls.saveBeastModeSnapshot({
        takenAt: at(m),
        scores: { opening: 1, discovery: 2, objection_handling: 3, closing: 4, overall },
        callsLearned: m,
      });
    }
  }, 60_000);

  afterAll(() => server?.stop());

  async function query(
    queries: unknown[],
    opts: { intervalMs?: number; maxDataPoints?: number; from?: string; to?: string } = {},
  ) {
    const res = await server.api('/api/grafana/query', {
      method: 'POST',
      body: JSON.stringify({
        range: { from: opts.from ?? range.from, to: opts.to ?? range.to },
        intervalMs: opts.intervalMs ?? 600_000,
        maxDataPoints: opts.maxDataPoints ?? 1000,
        queries,
      }),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as QueryResponse;
  }

  async function one(q: Record<string, unknown>, opts = {}) {
    const res = await query([{ refId: 'A', ...q }], opts);
    expect(res.results.A?.error).toBeUndefined();
    return res.results.A!.frames;
  }

  const column = (f: DataFrameJSON, name: string) => f.data.values[f.schema.fields.findIndex((x) => x.name === name)]!;

  it('requires the bearer token', async () => {
    const res = await fetch(`${server.url}/api/grafana/query`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(401);
  });

  it('answers health for Save & test', async () => {
    const res = await server.api('/api/grafana/health');
    expect(res.status).toBe(200);
    expect(((await res.json()) as { message: string }).message).toMatch(/^Connected: postgres \(embedded\)/);
  });

  it('buckets call volume by direction to the interval, as data frames', async () => {
    const frames = await one({ kind: 'call_volume', groupBy: 'direction' });
    expect(frames.map((f) => f.schema.name)).toEqual(['inbound', 'outbound']);
    const times = column(frames[0]!, 'time') as number[];
    expect(times).toEqual([0, 10, 20, 30, 40, 50].map((m) => T0 + m * 60_000));
    for (const f of frames) {
      const direction = f.schema.name!;
      const expected = times.map(
        (t) =>
          calls.filter(
            (c) => c.direction === direction && Date.parse(c.startedAt) >= t && Date.parse(c.startedAt) < t + 600_000,
          ).length,
      );
      expect(column(f, 'calls')).toEqual(expected);
      expect(f.schema.fields[1]!.labels).toEqual({ direction });
    }
  });

  it('computes answer rate, conversion rate, handle time and cost per call per bucket', async () => {
    const inBucket = (t: number) =>
      calls.filter((c) => Date.parse(c.startedAt) >= t && Date.parse(c.startedAt) < t + 1_800_000);
    const buckets = [T0, T0 + 1_800_000];
    const expected = {
      answer_rate: buckets.map((t) => inBucket(t).filter((c) => c.answeredAt).length / inBucket(t).length),
      conversion_rate: buckets.map(
        (t) =>
          inBucket(t).filter((c) => c.outcome === 'converted').length / inBucket(t).filter((c) => c.answeredAt).length,
      ),
      avg_handle_time: buckets.map((t) => {
        const answered = inBucket(t).filter((c) => c.answeredAt);
        return (
          answered.reduce((s, c) => s + (Date.parse(c.endedAt!) - Date.parse(c.answeredAt!)) / 1000, 0) /
          answered.length
        );
      }),
      cost_per_call: buckets.map((t) => inBucket(t).reduce((s, c) => s + c.costUsd!, 0) / inBucket(t).length),
    };
    for (const [metric, values] of Object.entries(expected)) {
      const [f] = await one({ kind: 'kpi', metric }, { intervalMs: 1_800_000 });
      expect(f!.schema.fields[1]?.config?.displayName).toBe(metric);
      const got = column(f!, 'value') as number[];
      expect(got).toHaveLength(2);
      got.forEach((v, i) => expect(v).toBeCloseTo(values[i]!, 6));
    }
  });

  it('reports Beast Mode on once the overall score held the bar in each of the last five snapshots', async () => {
    // Ahead of the server's own snapshots (taken every minute since it started), so these are the newest.
    const ahead = Date.now() + 86_400_000;
    const snapshot = (minutes: number, overall: number) =>
      server.stores.calls.saveBeastModeSnapshot({
        takenAt: new Date(ahead + minutes * 60_000).toISOString(),
        scores: { opening: 95, discovery: 95, objection_handling: 95, closing: 95, overall },
        callsLearned: 500,
      });
    for (const m of [120, 121, 122, 123]) await snapshot(m, 92);
    const beastMode = async () =>
      ((await one({ kind: 'beast_mode', mode: 'current' }))[0]!.schema.meta as { custom: { beastMode: boolean } })
        .custom.beastMode;
    expect(await beastMode()).toBe(false); // four at the bar, and an older one below it
    await snapshot(124, 90);
    expect(await beastMode()).toBe(true);
    await snapshot(125, 89.9);
    expect(await beastMode()).toBe(false);
  });

  it('lists dead letters, newest first', async () => {
    const event = { id: 'dead-letter-test', callId: 'nobody', type: 'call.answered', occurredAt: at(5), payload: {} };
    await server.stores.calls.appendEvents([event]);
    await server.stores.calls.recordApplyFailure(event.id, 'no state for this call yet');
    await server.stores.calls.moveToDeadLetters(event.id, 'not applied after 1 attempts');
    const [f] = await one({ kind: 'dead_letters' });
    expect(column(f!, 'event_id')).toEqual([event.id]);
    expect(column(f!, 'attempts')).toEqual([1]);
    expect(column(f!, 'occurred_at')).toEqual([Date.parse(event.occurredAt)]);
  });

  it('ranks hang-up causes', async () => {
    const [f] = await one({ kind: 'hangup_causes' });
    expect(column(f!, 'cause')).toEqual(['normal_clearing', 'timeout']);
    expect(column(f!, 'calls')).toEqual([
      calls.filter((c) => c.hangupCause === 'normal_clearing').length,
      calls.filter((c) => c.hangupCause === 'timeout').length,
    ]);
  });

  it('turns latency histograms into percentiles', async () => {
    const [f] = await one({ kind: 'turn_latency' }, { intervalMs: 3_600_000 });
    // 5 samples: 3, 7, 7, 40, 120 ms → buckets ≤5:1, ≤10:2, ≤50:1, ≤200:1. The median is the
    // 2.5th sample: 1.5 of the 2 in (5, 10] → 5 + 5 × 0.75.
    expect(column(f!, 'p50')).toEqual([Math.round(8.75 * 10) / 10]); // served rounded to 0.1 ms
    expect((column(f!, 'p99') as number[])[0]).toBeGreaterThan(100);
    expect((column(f!, 'p99') as number[])[0]).toBeLessThanOrEqual(200);
  });

  it('serves Beast Mode over time (bucket averages) and now', async () => {
    const series = await one({ kind: 'beast_mode', mode: 'timeseries', skill: 'overall' }, { intervalMs: 1_800_000 });
    expect(series).toHaveLength(1);
    expect(column(series[0]!, 'time')).toEqual([T0, T0 + 1_800_000]);
    expect(column(series[0]!, 'score')).toEqual([50, 80]);
    expect(series[0]!.schema.fields[1]?.labels).toEqual({ skill: 'overall' });
    const all = await one({ kind: 'beast_mode', mode: 'timeseries', skill: 'all' }, { intervalMs: 1_800_000 });
    expect(all.map((f) => f.schema.name)).toEqual(['opening', 'discovery', 'objection_handling', 'closing', 'overall']);
    const [now] = await one({ kind: 'beast_mode', mode: 'current' });
    expect(column(now!, 'skill')).toEqual(['opening', 'discovery', 'objection_handling', 'closing', 'overall']);
    // Beast Mode is off: no snapshot has reached the bar, let alone the last five.
    expect(now!.schema.meta).toMatchObject({ custom: { expertBar: 90, beastMode: false } });
  });

  it('ranks objections with their best answer and win rates', async () => {
    const [f] = await one({ kind: 'top_objections', limit: 2 });
    expect(column(f!, 'objection')).toEqual(['price', 'timing']);
    expect(column(f!, 'times_answered')).toEqual([3, 1]);
    expect(column(f!, 'win_rate')).toEqual([2 / 3, 0]);
    // price-pilot 1/1 → posterior 2/3 beats price-roi 1/2 → 2/4.
    expect((column(f!, 'best_response') as string[])[0]).toMatch(/small paid pilot/);
  });

  it('draws the learning graph as node-graph frames', async () => {
    const frames = await one({ kind: 'learning_graph' });
    expect(frames.map((f) => f.schema.name)).toEqual(['nodes', 'edges']);
    const [nodes, edges] = frames;
    expect(nodes!.schema.meta?.preferredVisualisationType).toBe('nodeGraph');
    expect(nodes!.schema.fields.map((f) => f.name)).toEqual([
      'id',
      'title',
      'subTitle',
      'mainStat',
      'secondaryStat',
      'arc__wins',
      'arc__losses',
    ]);
    const ids = column(nodes!, 'id') as string[];
    const wins = column(nodes!, 'arc__wins') as number[];
    const losses = column(nodes!, 'arc__losses') as number[];
    wins.forEach((w, i) => expect(w + losses[i]!).toBeCloseTo(1, 9));
    for (const target of column(edges!, 'target') as string[]) expect(ids).toContain(target);
    for (const source of column(edges!, 'source') as string[]) expect(ids).toContain(source);
    expect(wins[ids.indexOf('price→price-roi')]).toBeCloseTo(0.5, 9);
  });

  it('lists recent calls newest first, filtered and bounded', async () => {
    const [f] = await one({ kind: 'recent_calls', limit: 3, outcome: 'converted' });
    const converted = calls
      .filter((c) => c.outcome === 'converted')
      .sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    expect(column(f!, 'call_id')).toEqual(converted.slice(0, 3).map((c) => c.id));
    expect(column(f!, 'talk_time')).toEqual(
      converted.slice(0, 3).map((c) => (Date.parse(c.endedAt!) - Date.parse(c.answeredAt!)) / 1000),
    );
  });

  it("shows one call's transcript with turn latencies", async () => {
    const [f] = await one({ kind: 'transcript', callId: calls[0]!.id });
    expect(column(f!, 'speaker')).toEqual(['agent', 'prospect', 'agent']);
    expect(column(f!, 'latency')).toEqual([null, null, 12.5]);
  });

  it('finds turns by meaning', async () => {
    const [f] = await one({ kind: 'transcript_search', text: 'the price is too high', limit: 1 });
    expect(column(f!, 'text')).toEqual(['Too expensive for us']);
    expect(column(f!, 'call_id')).toEqual([calls[0]!.id]);
  });

  it('lists unrecognised utterances and capacity', async () => {
    const [u] = await one({ kind: 'unrecognised' });
    expect(column(u!, 'text')).toEqual(['What about the weather']);
    const [c] = await one({ kind: 'capacity' });
    expect(column(c!, 'capacity')).toEqual([1000]);
    expect(column(c!, 'scaling_threshold')).toEqual([0.8]);
    const [a] = await one({ kind: 'active_calls' });
    expect(column(a!, 'active_calls')).toEqual([0]);
  });

  it('answers an empty range with empty frames, not errors', async () => {
    const empty = { from: '2020-01-01T00:00:00Z', to: '2020-01-01T01:00:00Z' };
    const res = await query(
      [
        { refId: 'V', kind: 'call_volume' },
        { refId: 'H', kind: 'hangup_causes' },
        { refId: 'R', kind: 'recent_calls' },
        { refId: 'B', kind: 'beast_mode' },
      ],
      empty,
    );
    for (const refId of ['V', 'H', 'R', 'B']) expect(res.results[refId]?.error).toBeUndefined();
    expect(res.results.V!.frames).toEqual([]);
    expect(res.results.H!.frames[0]!.data.values).toEqual([[], []]);
    expect(res.results.R!.frames[0]!.data.values[0]).toEqual([]);
  });

  it('fails a bad query alone, with its refId, and answers the good ones', async () => {
    const res = await query([
      { refId: 'good', kind: 'hangup_causes' },
      { refId: 'unknown', kind: 'weather' },
      { refId: 'badOption', kind: 'recent_calls', limit: 100_000 },
      { refId: 'badId', kind: 'transcript', callId: 'nope' },
    ]);
    expect(res.results.good?.error).toBeUndefined();
    expect(res.results.unknown).toMatchObject({ status: 400, frames: [] });
    expect(res.results.unknown!.error).toMatch(/^invalid query: kind/);
    expect(res.results.badOption!.error).toMatch(/limit/);
    expect(res.results.badId!.error).toMatch(/callId/);
  });

  it('refuses a malformed request as a whole', async () => {
    const res = await server.api('/api/grafana/query', { method: 'POST', body: JSON.stringify({ queries: [] }) });
    expect(res.status).toBe(400);
    const inverted = await server.api('/api/grafana/query', {
      method: 'POST',
      body: JSON.stringify({ range: { from: range.to, to: range.from }, queries: [{ refId: 'A', kind: 'capacity' }] }),
    });
    expect(inverted.status).toBe(400);
  });

  it('answers a time range outside 1970–9999 with 400 naming the field, for every query kind', async () => {
    const kinds = ['call_volume', 'kpi', 'beast_mode', 'recent_calls', 'capacity', 'top_objections'];
    const res = await server.api('/api/grafana/query', {
      method: 'POST',
      body: JSON.stringify({
        range: { from: '0000-01-01T00:00:00Z', to: range.to },
        queries: kinds.map((kind, i) => ({ refId: `q${i}`, kind, metric: 'answer_rate' })),
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(
      /^invalid query request: range\.from: expected a time between 1970 and 9999/,
    );
    const variables = await server.api('/api/grafana/variables/campaigns?from=0000-01-01T00:00:00Z');
    expect(variables.status).toBe(400);
    expect(await variables.json()).toMatchObject({ fields: { from: 'expected a time between 1970 and 9999' } });
  });

  it('serves template variables', async () => {
    const window = `from=${encodeURIComponent(range.from)}&to=${encodeURIComponent(range.to)}`;
    const personas = (await (await server.api(`/api/grafana/variables/personas?${window}`)).json()) as {
      value: string;
    }[];
    expect(personas.map((p) => p.value).sort()).toEqual(['cfo', 'founder']);
    const objections = (await (await server.api('/api/grafana/variables/objections')).json()) as { value: string }[];
    expect(objections.map((o) => o.value)).toContain('price');
    expect(await (await server.api('/api/grafana/variables/personas')).json()).toEqual([]); // default: last 90 days
    expect((await server.api('/api/grafana/variables/nope')).status).toBe(404);
    expect((await server.api('/api/grafana/variables/personas?from=yesterday')).status).toBe(400);
  });
});
