/**
 * The event inbox (Postgres call_events), read through the Postgres container: which of a set of
 * event ids are stored, which are applied, and whether any call was counted twice.
 */
import { psql } from './stack';

export interface InboxCheck {
  expected: number;
  present: number;
  missing: number;
  unapplied: number;
  missingSample: string[];
}

/** How many of `ids` are in call_events (and applied). Ids go in by COPY, so any count works. */
export async function inboxHas(ids: readonly string[]): Promise<InboxCheck> {
  const unique = [...new Set(ids)];
  const out = await psql(
    [
      'create temp table wanted (id text primary key);',
      'copy wanted (id) from stdin;',
      ...unique,
      '\\.',
      "select count(e.id) || ' ' || count(*) filter (where e.id is not null and e.applied_at is null)",
      '  from wanted w left join call_events e on e.id = w.id;',
      'select w.id from wanted w left join call_events e on e.id = w.id where e.id is null limit 5;',
      '',
    ].join('\n'),
  );
  const [counts, ...missingSample] = out.split('\n').filter(Boolean);
  const [present, unapplied] = counts!.split(' ').map(Number) as [number, number];
  return { expected: unique.length, present, missing: unique.length - present, unapplied, missingSample };
}

/** Stored events not yet applied to their call (the recovery sweep applies them). */
export async function unappliedCount(): Promise<number> {
  return Number(await psql('select count(*) from call_events where applied_at is null;'));
}

/**
 * Calls counted twice: every ended call is counted in the rollups once (call_rollup_applied is
 * keyed by call id); an event applied twice would count its call again. Returns
 * {counted: calls in the rollups, distinct: calls marked applied}.
 */
export async function rollupCounts(): Promise<{ counted: number; distinct: number }> {
  const out = await psql(
    "select coalesce((select sum(calls) from call_rollups), 0) || ' ' || (select count(*) from call_rollup_applied);",
  );
  const [counted, distinct] = out.split(' ').map(Number) as [number, number];
  return { counted, distinct };
}

/**
 * Stored events that cannot be applied because their call was never recorded: the carrier gave
 * up on the call's first event (never acknowledged), then sent its hang-up. They wait in the
 * inbox as "arrived early". Returns {unapplied, orphanEvents, orphanCalls}.
 */
export async function unappliedBreakdown(
  since: Date,
): Promise<{ unapplied: number; orphanEvents: number; orphanCalls: number }> {
  const out = await psql(
    [
      'select count(*),',
      '  count(*) filter (where not exists (select 1 from calls c where c.id = e.call_id)),',
      '  count(distinct e.call_id) filter (where not exists (select 1 from calls c where c.id = e.call_id))',
      `from call_events e where e.applied_at is null and e.received_at >= '${since.toISOString()}';`,
    ].join('\n'),
  );
  const [unapplied, orphanEvents, orphanCalls] = out.split('|').map(Number) as [number, number, number];
  return { unapplied, orphanEvents, orphanCalls };
}

/**
 * Unapplied events received since `since` that nothing explains. Two things do: the event's call
 * was never recorded (an orphan, above), or one of its call's carrier events never reached the
 * inbox (the carrier gave up on it), so what depends on it (say, after a lost hang-up) may wait,
 * then go to the dead letters. Anything else is a
 * stored event the product failed to apply. `eventIdsByCall`: the carrier's event ids per call.
 */
export async function unexplainedUnapplied(
  since: Date,
  eventIdsByCall: readonly string[][],
): Promise<{ count: number; sample: string[] }> {
  const out = await psql(
    [
      'create temp table carrier_events (call_no int, id text primary key);',
      'copy carrier_events (call_no, id) from stdin;',
      ...eventIdsByCall.flatMap((ids, callNo) => ids.map((id) => `${callNo}\t${id}`)),
      '\\.',
      'create temp table blocked_calls as select k.call_no from carrier_events k',
      '  left join call_events e on e.id = k.id where e.id is null group by k.call_no;',
      'create temp table unexplained as select e.id, e.type, e.attempts, e.last_error from call_events e',
      `  where e.applied_at is null and e.received_at >= '${since.toISOString()}'`,
      '    and exists (select 1 from calls c where c.id = e.call_id)',
      '    and not exists (select 1 from carrier_events k join blocked_calls b using (call_no) where k.id = e.id);',
      'select count(*) from unexplained;',
      "select id || ' ' || type || ' attempts=' || attempts || ' ' || coalesce(last_error, '') from unexplained limit 5;",
      '',
    ].join('\n'),
  );
  const [count, ...sample] = out.split('\n').filter(Boolean);
  return { count: Number(count), sample };
}

/** Events received since `since`: waits (bounded) until the unapplied count stops falling for `quietMs`. */
export async function settledInbox(
  since: Date,
  timeoutMs: number,
  quietMs = 15_000,
): Promise<{ unapplied: number; orphanEvents: number; orphanCalls: number; seconds: number }> {
  const t0 = Date.now();
  let last = Number.POSITIVE_INFINITY;
  let fellAt = Date.now();
  for (;;) {
    const b = await unappliedBreakdown(since);
    if (b.unapplied === 0 || (b.unapplied >= last && Date.now() - fellAt >= quietMs) || Date.now() - t0 > timeoutMs) {
      return { ...b, seconds: Math.round((Date.now() - t0) / 100) / 10 };
    }
    if (b.unapplied < last) {
      last = b.unapplied;
      fellAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
