import type { BeastModeSnapshot, CallEvent, CallRecord, CallRollup, InboxEvent, TimeRange } from '../../domain';
import {
  TURN_LATENCY_BOUNDS_MS,
  type AdapterKind,
  type CallAnalytics,
  type CallStore,
  type ListCallsQuery,
  type StoreHealth,
} from '../../ports';
import { SqlCallAnalytics } from './call-analytics';
import { iso, isoOrNull, type SqlExecutor, type SqlQueryable } from './executor';
import { probeHealth } from '../health';
import { parseJson } from './json';

const CALL_COLUMNS = `id, direction, status, from_number, to_number, persona, campaign, call_control_id,
  call_session_id, started_at, answered_at, ended_at, outcome, hangup_cause, hangup_source, cost_usd, updated_at`;

/**
 * The Postgres-role port in SQL, shared by PGlite and node-postgres. Dashboard reads go to
 * `reader` (the read replica in production), everything else to `writer`.
 */
export class SqlCallStore implements CallStore {
  readonly store = 'postgres' as const;

  constructor(
    readonly kind: AdapterKind,
    private readonly writer: SqlExecutor,
    private readonly reader: SqlQueryable,
    private readonly onClose: () => Promise<void>,
  ) {}

  async upsertCall(call: CallRecord): Promise<void> {
    await this.writer.query(
      `insert into calls (${CALL_COLUMNS})
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17)
       on conflict (id) do update set direction = excluded.direction, status = excluded.status,
         from_number = excluded.from_number, to_number = excluded.to_number, persona = excluded.persona,
         campaign = excluded.campaign, call_control_id = excluded.call_control_id,
         call_session_id = excluded.call_session_id, started_at = excluded.started_at,
         answered_at = excluded.answered_at, ended_at = excluded.ended_at, outcome = excluded.outcome,
         hangup_cause = excluded.hangup_cause, hangup_source = excluded.hangup_source,
         cost_usd = excluded.cost_usd, updated_at = excluded.updated_at`,
      [
        call.id,
        call.direction,
        call.status,
        call.from,
        call.to,
        call.persona,
        call.campaign,
        call.callControlId,
        call.callSessionId,
        call.startedAt,
        call.answeredAt,
        call.endedAt,
        call.outcome,
        call.hangupCause,
        call.hangupSource,
        call.costUsd,
        call.updatedAt,
      ],
    );
  }

  async getCall(id: string): Promise<CallRecord | null> {
    const { rows } = await this.writer.query(`select ${CALL_COLUMNS} from calls where id = $1`, [id]);
    return rows[0] ? toCallRecord(rows[0]) : null;
  }

  async listCalls(query: ListCallsQuery): Promise<CallRecord[]> {
    const { rows } = await this.reader.query(
      `select ${CALL_COLUMNS} from calls
       where started_at >= $1 and started_at < $2 and ($3::text is null or direction = $3)
       order by started_at desc, id limit $4`,
      [query.from, query.to, query.direction ?? null, query.limit],
    );
    return rows.map(toCallRecord);
  }

  async appendEvents(events: CallEvent[]): Promise<string[]> {
    if (events.length === 0) return [];
    // unnest keeps it one statement with five parameters whatever the batch size.
    const { rows } = await this.writer.query<{ id: string }>(
      `insert into call_events (id, call_id, type, occurred_at, payload)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])
       on conflict (id) do nothing returning id`,
      [
        events.map((e) => e.id),
        events.map((e) => e.callId),
        events.map((e) => e.type),
        events.map((e) => e.occurredAt),
        events.map((e) => JSON.stringify(e.payload)),
      ],
    );
    return rows.map((r) => String(r.id));
  }

  async listEvents(callId: string): Promise<CallEvent[]> {
    const { rows } = await this.writer.query(
      'select id, call_id, type, occurred_at, payload from call_events where call_id = $1 order by occurred_at, arrival',
      [callId],
    );
    return rows.map(toCallEvent);
  }

  async markEventsApplied(eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return;
    await this.writer.query(
      'update call_events set applied_at = now() where id = any($1::text[]) and applied_at is null',
      [eventIds],
    );
  }

  async listUnappliedEvents(query: { before: string; afterSeq: number; limit: number }): Promise<InboxEvent[]> {
    const { rows } = await this.writer.query(
      `select e.arrival, e.attempts, e.id, e.call_id, e.type, e.occurred_at, e.payload from call_events e
       where e.applied_at is null and e.arrival > $2 and e.received_at < $1
         and not exists (select 1 from event_dead_letters d where d.event_id = e.id)
       order by e.arrival limit $3`,
      [query.before, query.afterSeq, query.limit],
    );
    return rows.map((r) => ({ ...toCallEvent(r), seq: Number(r.arrival), attempts: Number(r.attempts) }));
  }

  async listPendingEventIds(callId: string): Promise<string[]> {
    const { rows } = await this.writer.query<{ id: string }>(
      `select e.id from call_events e where e.call_id = $1 and e.applied_at is null
         and not exists (select 1 from event_dead_letters d where d.event_id = e.id)`,
      [callId],
    );
    return rows.map((r) => String(r.id));
  }

  async recordApplyFailure(eventId: string, error: string): Promise<number> {
    const { rows } = await this.writer.query<{ attempts: number }>(
      'update call_events set attempts = attempts + 1, last_error = $2 where id = $1 returning attempts',
      [eventId, error.slice(0, 2000)],
    );
    return Number(rows[0]?.attempts ?? 0);
  }

  async moveToDeadLetters(eventId: string, reason: string): Promise<void> {
    await this.writer.query(
      'insert into event_dead_letters (event_id, reason) values ($1, $2) on conflict (event_id) do nothing',
      [eventId, reason.slice(0, 2000)],
    );
  }

  async redriveDeadLetters(eventIds: string[] | 'all'): Promise<number> {
    const all = eventIds === 'all';
    // One statement: the dead letters leave and their attempts restart together.
    const { rows } = await this.writer.query(
      `with gone as (
         delete from event_dead_letters where $1::boolean or event_id = any($2::text[]) returning event_id
       )
       update call_events e set attempts = 0 from gone where e.id = gone.event_id returning e.id`,
      [all, all ? [] : eventIds],
    );
    return rows.length;
  }

  async findCallIdByTelnyxIds(ids: {
    callControlId: string | null;
    callSessionId: string | null;
  }): Promise<string | null> {
    if (!ids.callControlId && !ids.callSessionId) return null;
    const { rows } = await this.writer.query<{ id: string }>(
      `select id from calls where call_control_id = $1
       union all
       select id from calls where call_session_id = $2 and $1::text is distinct from call_control_id
       limit 1`,
      [ids.callControlId, ids.callSessionId],
    );
    return rows[0] ? String(rows[0].id) : null;
  }

  async rerouteEvent(eventId: string, callId: string): Promise<void> {
    await this.writer.query('update call_events set call_id = $2 where id = $1', [eventId, callId]);
  }

  async claimQueuedCalls(limit: number): Promise<CallRecord[]> {
    const { rows } = await this.writer.query(
      `update calls set status = 'dialing', updated_at = now()
       where id in (
         select id from calls where status = 'queued' order by started_at, id limit $1 for update skip locked
       ) returning ${CALL_COLUMNS}`,
      [limit],
    );
    return rows.map(toCallRecord).sort((a, b) => a.startedAt.localeCompare(b.startedAt) || a.id.localeCompare(b.id));
  }

  async listUnfinalizedCalls(endedBefore: string, limit: number): Promise<CallRecord[]> {
    const { rows } = await this.writer.query(
      `select ${CALL_COLUMNS} from calls c
       where status = 'ended' and ended_at < $1
         and not exists (select 1 from call_rollup_applied a where a.call_id = c.id)
       order by ended_at, id limit $2`,
      [endedBefore, limit],
    );
    return rows.map(toCallRecord);
  }

  async addToRollup(call: CallRecord): Promise<boolean> {
    if (!call.outcome) throw new Error(`call ${call.id} has no outcome yet and cannot be rolled up`);
    const handleSeconds =
      call.answeredAt && call.endedAt
        ? Math.max(0, (Date.parse(call.endedAt) - Date.parse(call.answeredAt)) / 1000)
        : 0;
    // One statement: the marker insert and the increments commit together or not at all.
    const { rows } = await this.writer.query(
      `with applied as (
         insert into call_rollup_applied (call_id) values ($1) on conflict do nothing returning call_id
       ), causes as (
         insert into hangup_rollups (bucket, cause, calls)
         select date_trunc('minute', $2::timestamptz), coalesce($9, 'unknown'), 1 from applied
         on conflict (bucket, cause) do update set calls = hangup_rollups.calls + 1
       )
       insert into call_rollups (bucket, direction, outcome, calls, answered, converted, handle_seconds, cost_usd)
       select date_trunc('minute', $2::timestamptz), $3, $4, 1, $5, $6, $7, $8 from applied
       on conflict (bucket, direction, outcome) do update set
         calls = call_rollups.calls + 1,
         answered = call_rollups.answered + excluded.answered,
         converted = call_rollups.converted + excluded.converted,
         handle_seconds = call_rollups.handle_seconds + excluded.handle_seconds,
         cost_usd = call_rollups.cost_usd + excluded.cost_usd
       returning bucket`,
      [
        call.id,
        call.startedAt,
        call.direction,
        call.outcome,
        call.answeredAt ? 1 : 0,
        call.outcome === 'converted' ? 1 : 0,
        handleSeconds,
        call.costUsd ?? 0,
        call.hangupCause,
      ],
    );
    return rows.length === 1;
  }

  async isRolledUp(callId: string): Promise<boolean> {
    const { rows } = await this.writer.query('select 1 from call_rollup_applied where call_id = $1', [callId]);
    return rows.length > 0;
  }

  async listRolledUp(callIds: string[]): Promise<string[]> {
    if (callIds.length === 0) return [];
    const { rows } = await this.writer.query<{ call_id: string }>(
      'select call_id from call_rollup_applied where call_id = any($1::text[])',
      [callIds],
    );
    return rows.map((r) => r.call_id);
  }

  async listRollups(range: TimeRange): Promise<CallRollup[]> {
    const { rows } = await this.reader.query(
      `select bucket, direction, outcome, calls, answered, converted, handle_seconds, cost_usd from call_rollups
       where bucket >= $1 and bucket < $2 order by bucket, direction, outcome`,
      [range.from, range.to],
    );
    return rows.map((r) => ({
      bucket: iso(r.bucket),
      direction: r.direction as CallRollup['direction'],
      outcome: r.outcome as CallRollup['outcome'],
      calls: Number(r.calls),
      answered: Number(r.answered),
      converted: Number(r.converted),
      handleSeconds: Number(r.handle_seconds),
      costUsd: Number(r.cost_usd),
    }));
  }

  analytics(): CallAnalytics {
    return new SqlCallAnalytics(this.kind, this.reader, this.writer);
  }

  async addTurnLatencies(samples: { at: string; latencyMs: number }[]): Promise<void> {
    if (samples.length === 0) return;
    const counts = new Map<string, number>();
    for (const s of samples) {
      const minute = new Date(Math.floor(Date.parse(s.at) / 60_000) * 60_000).toISOString();
      const index = TURN_LATENCY_BOUNDS_MS.findIndex((le) => s.latencyMs <= le);
      const key = `${minute}|${index === -1 ? TURN_LATENCY_BOUNDS_MS.length : index}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const entries = [...counts].map(([key, n]) => [...key.split('|'), n] as [string, string, number]);
    await this.writer.query(
      `insert into turn_latency_rollups (bucket, le_index, turns)
       select * from unnest($1::timestamptz[], $2::smallint[], $3::integer[])
       on conflict (bucket, le_index) do update set turns = turn_latency_rollups.turns + excluded.turns`,
      [entries.map((e) => e[0]), entries.map((e) => Number(e[1])), entries.map((e) => e[2])],
    );
  }

  async saveBeastModeSnapshot(snapshot: BeastModeSnapshot): Promise<void> {
    await this.writer.query(
      `insert into beast_mode_snapshots (taken_at, scores, calls_learned) values ($1, $2, $3)
       on conflict (taken_at) do update set scores = excluded.scores, calls_learned = excluded.calls_learned`,
      [snapshot.takenAt, JSON.stringify(snapshot.scores), snapshot.callsLearned],
    );
  }

  async listBeastModeSnapshots(range: TimeRange): Promise<BeastModeSnapshot[]> {
    const { rows } = await this.reader.query(
      `select taken_at, scores, calls_learned from beast_mode_snapshots
       where taken_at >= $1 and taken_at < $2 order by taken_at`,
      [range.from, range.to],
    );
    return rows.map((r) => ({
      takenAt: iso(r.taken_at),
      scores: parseJson(r.scores) as BeastModeSnapshot['scores'],
      callsLearned: Number(r.calls_learned),
    }));
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, async () => {
      await this.writer.query('select 1');
      if (this.reader !== this.writer) await this.reader.query('select 1');
    });
  }

  close(): Promise<void> {
    return this.onClose();
  }
}

function toCallEvent(r: Record<string, unknown>): CallEvent {
  return {
    id: String(r.id),
    callId: String(r.call_id),
    type: String(r.type),
    occurredAt: iso(r.occurred_at),
    payload: parseJson(r.payload),
  };
}

function toCallRecord(r: Record<string, unknown>): CallRecord {
  return {
    id: String(r.id),
    direction: r.direction as CallRecord['direction'],
    status: r.status as CallRecord['status'],
    from: String(r.from_number),
    to: String(r.to_number),
    persona: (r.persona as string | null) ?? null,
    campaign: (r.campaign as string | null) ?? null,
    callControlId: (r.call_control_id as string | null) ?? null,
    callSessionId: (r.call_session_id as string | null) ?? null,
    startedAt: iso(r.started_at),
    answeredAt: isoOrNull(r.answered_at),
    endedAt: isoOrNull(r.ended_at),
    outcome: (r.outcome as CallRecord['outcome']) ?? null,
    hangupCause: (r.hangup_cause as string | null) ?? null,
    hangupSource: (r.hangup_source as string | null) ?? null,
    costUsd: r.cost_usd === null || r.cost_usd === undefined ? null : Number(r.cost_usd),
    updatedAt: iso(r.updated_at),
  };
}
