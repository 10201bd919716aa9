import {
  Agent,
  BEAST_MODE_SKILLS,
  HashedNgramEmbedder,
  loadPlaybook,
  ThompsonSamplingChooser,
  type CallRecord,
  type Stores,
  type TimeRange,
} from '@mwva/voice-core';
import { grid } from '../contracts/fixtures';

/** A fixed window well away from "now", so dashboard queries of the original and the restore agree. */
export const WINDOW_START = Date.UTC(2024, 2, 4, 9, 0, 0);
export const RANGE: TimeRange = {
  from: new Date(WINDOW_START - 3_600_000).toISOString(),
  to: new Date(WINDOW_START + 6 * 3_600_000).toISOString(),
};
const at = (seconds: number): string => new Date(WINDOW_START + seconds * 1000).toISOString();

/** The playbook agent the API builds, over these stores. */
export function agentOver(stores: Pick<Stores, 'graph' | 'vectors'>): Agent {
  return new Agent(
    loadPlaybook(),
    stores.graph,
    stores.vectors,
    new HashedNgramEmbedder(),
    new ThompsonSamplingChooser(),
  );
}

/**
 * Data in every store through voice-core's own ports: the playbook (graph + vectors), calls
 * with events, rollups, transcripts, unrecognised utterances, raw webhooks, credited learning,
 * Beast Mode snapshots, turn latencies — with awkward text, nulls and fractional numbers.
 */
export async function seedThroughVoiceCore(stores: Stores, calls: number, prefix = 'bk'): Promise<CallRecord[]> {
  await agentOver(stores).seed();
  const { arms } = await stores.graph.snapshot();
  const out: CallRecord[] = [];
  for (let i = 0; i < calls; i += 1) {
    const start = i * 97;
    const outcome = (['converted', 'not_converted', 'voicemail', 'no_answer'] as const)[i % 4]!;
    const call: CallRecord = {
      id: `${prefix}-call-${i}`,
      direction: i % 3 === 0 ? 'inbound' : 'outbound',
      status: 'ended',
      from: `+1555000${String(i).padStart(4, '0')}`,
      to: '+15550009999',
      persona: i % 2 === 0 ? 'cfo' : null,
      campaign: i % 5 === 0 ? 'q4 — “spécial” 🤑' : 'q4',
      callControlId: `v3:${prefix}-${i}`,
      callSessionId: i % 2 === 0 ? `sess-${i}` : null,
      startedAt: at(start),
      answeredAt: outcome === 'no_answer' ? null : at(start + 3),
      endedAt: at(start + 40 + (i % 7)),
      outcome,
      hangupCause: i % 4 === 3 ? 'timeout' : 'normal_clearing',
      hangupSource: 'callee',
      costUsd: 0.0123 * (i + 1) + 1e-9,
      updatedAt: at(start + 41),
    };
    await stores.calls.upsertCall(call);
    await stores.calls.appendEvents([
      {
        id: `${prefix}-ev-${i}-a`,
        callId: call.id,
        type: 'call.initiated',
        occurredAt: at(start),
        payload: { n: i, nested: { ok: true } },
      },
      {
        id: `${prefix}-ev-${i}-b`,
        callId: call.id,
        type: 'call.hangup',
        occurredAt: at(start + 40),
        payload: { cause: call.hangupCause, x: 1.5 },
      },
    ]);
    await stores.calls.markEventsApplied([`${prefix}-ev-${i}-a`]);
    for (let seq = 0; seq < 3; seq += 1) {
      await stores.transcripts.appendTurn({
        callId: call.id,
        seq,
        speaker: seq % 2 === 0 ? 'agent' : 'prospect',
        text: seq === 1 ? `Ça coûte trop cher — 价格太高了 ${i} "quoted"` : `line ${seq} of ${i}`,
        startedAt: at(start + seq * 5),
        endedAt: at(start + seq * 5 + 4),
        confidence: seq % 2 === 0 ? null : 0.875,
        intentId: seq === 1 ? 'too_expensive' : null,
        latencyMs: seq % 2 === 0 ? 110 + i : null,
      });
    }
    await stores.transcripts.saveUnrecognised([
      {
        callId: call.id,
        seq: 1,
        text: `mumble ${i}`,
        at: at(start + 6),
        nearestIntentId: i % 2 ? 'too_expensive' : null,
        similarity: 0.31,
      },
    ]);
    await stores.transcripts.saveRawWebhooks([
      {
        eventId: `${prefix}-ev-${i}-a`,
        receivedAt: at(start),
        expiresAt: '2099-01-01T00:00:00.000Z',
        payload: { data: { id: i } },
      },
    ]);
    const pair = arms[i % arms.length]!;
    await stores.graph.credit(
      call.id,
      [{ objectionId: pair.objectionId, responseId: pair.responseId }],
      outcome === 'converted',
    );
    await stores.calls.addToRollup(call);
    await stores.calls.addTurnLatencies([{ at: at(start + 10), latencyMs: 80 + (i % 9) * 70 }]);
    out.push(call);
  }
  for (let k = 0; k < 3; k += 1) {
    await stores.calls.saveBeastModeSnapshot({
      takenAt: at(k * 600),
      scores: Object.fromEntries(BEAST_MODE_SKILLS.map((s, j) => [s, 40 + k * 5 + j + 0.25])) as never,
      callsLearned: k * 10,
    });
  }
  await stores.vectors.upsert('backup-test', [
    {
      id: `${prefix}-u1`,
      embedding: [0.1, 0.2, 0.30000001],
      document: 'hello 🤑',
      metadata: { callId: `${prefix}-call-0` },
    },
    { id: `${prefix}-u2`, embedding: [1, 0, 0], document: '', metadata: {} },
  ]);
  return out;
}

/** What dashboards and operators read: the same numbers must come back after a restore. */
export async function dashboardView(
  stores: Stores,
  callIds: string[],
  range: TimeRange = RANGE,
): Promise<Record<string, unknown>> {
  const RANGE = range;
  const q = { ...grid(RANGE, 600) };
  const transcripts: Record<string, unknown> = {};
  const events: Record<string, unknown> = {};
  for (const id of callIds) {
    transcripts[id] = await stores.transcripts.getTranscript(id);
    events[id] = (await stores.calls.listEvents(id)).map((e) => ({ ...e }));
  }
  return {
    volume: await stores.analytics.volume({ ...q, groupBy: 'outcome' }),
    volumeByDirection: await stores.analytics.volume({ ...q, groupBy: 'direction' }),
    kpis: await stores.analytics.kpis(q),
    hangups: await stores.analytics.hangupCauses(RANGE, 20),
    latency: await stores.analytics.turnLatency(q),
    beast: await stores.analytics.beastModeSeries(q),
    personas: await stores.analytics.distinctValues('persona', RANGE, 10),
    calls: await stores.calls.listCalls({ ...RANGE, limit: 100_000 }),
    rollups: await stores.calls.listRollups(RANGE),
    snapshots: await stores.calls.listBeastModeSnapshots(RANGE),
    graph: await stores.graph.snapshot(),
    unrecognised: await stores.transcripts.listUnrecognised(RANGE, 100_000),
    vectors: {
      extra: await stores.vectors.count('backup-test'),
      // Chroma may move a stored float32 by one ulp on a rewrite; 5 decimals is far above that.
      u1: await stores.vectors
        .get('backup-test', 'bk-u1')
        .then((v) => v && { ...v, embedding: v.embedding.map((x) => x.toFixed(5)) }),
    },
    transcripts,
    events,
  };
}
