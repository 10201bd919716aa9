import type { RawWebhook, TimeRange, TranscriptTurn, UnrecognisedUtterance } from '../../domain';
import type { StoreHealth, TranscriptStore } from '../../ports';
import { iso, type SqlExecutor } from '../sql/executor';
import { parseJson } from '../sql/json';
import { probeHealth } from '../health';

/** Mongo role on PGlite: each turn and webhook is a JSONB document. */
export class EmbeddedTranscriptStore implements TranscriptStore {
  readonly store = 'mongodb' as const;
  readonly kind = 'embedded' as const;

  constructor(
    private readonly db: SqlExecutor,
    private readonly onClose: () => Promise<void>,
  ) {}

  async appendTurn(turn: TranscriptTurn): Promise<void> {
    await this.db.query(
      `insert into transcript_turns (call_id, seq, doc) values ($1, $2, $3)
       on conflict (call_id, seq) do update set doc = excluded.doc`,
      [turn.callId, turn.seq, JSON.stringify(turn)],
    );
  }

  async insertTurn(turn: TranscriptTurn): Promise<boolean> {
    const { rows } = await this.db.query(
      `insert into transcript_turns (call_id, seq, doc) values ($1, $2, $3)
       on conflict (call_id, seq) do nothing returning seq`,
      [turn.callId, turn.seq, JSON.stringify(turn)],
    );
    return rows.length > 0;
  }

  async getTranscript(callId: string): Promise<TranscriptTurn[]> {
    const { rows } = await this.db.query('select doc from transcript_turns where call_id = $1 order by seq', [callId]);
    return rows.map((r) => parseJson(r.doc) as unknown as TranscriptTurn);
  }

  async saveUnrecognised(utterances: UnrecognisedUtterance[]): Promise<void> {
    if (utterances.length === 0) return;
    const unique = [...new Map(utterances.map((u) => [`${u.callId}\u0000${u.seq}`, u])).values()];
    await this.db.query(
      `insert into unrecognised_utterances (call_id, seq, at, doc)
       select * from unnest($1::text[], $2::integer[], $3::timestamptz[], $4::jsonb[])
       on conflict (call_id, seq) do update set at = excluded.at, doc = excluded.doc`,
      [
        unique.map((u) => u.callId),
        unique.map((u) => u.seq),
        unique.map((u) => u.at),
        unique.map((u) => JSON.stringify(u)),
      ],
    );
  }

  async listUnrecognised(range: TimeRange, limit: number): Promise<UnrecognisedUtterance[]> {
    const { rows } = await this.db.query(
      'select doc from unrecognised_utterances where at >= $1 and at < $2 order by at desc, call_id, seq limit $3',
      [range.from, range.to, limit],
    );
    return rows.map((r) => parseJson(r.doc) as unknown as UnrecognisedUtterance);
  }

  async saveRawWebhooks(webhooks: RawWebhook[]): Promise<number> {
    if (webhooks.length === 0) return 0;
    const { rows } = await this.db.query(
      `insert into raw_webhooks (event_id, received_at, expires_at, payload)
       select * from unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::jsonb[])
       on conflict (event_id) do nothing returning event_id`,
      [
        webhooks.map((w) => w.eventId),
        webhooks.map((w) => w.receivedAt),
        webhooks.map((w) => w.expiresAt),
        webhooks.map((w) => JSON.stringify(w.payload)),
      ],
    );
    return rows.length;
  }

  async getRawWebhook(eventId: string): Promise<RawWebhook | null> {
    const { rows } = await this.db.query(
      'select event_id, received_at, expires_at, payload from raw_webhooks where event_id = $1',
      [eventId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      eventId: String(r.event_id),
      receivedAt: iso(r.received_at),
      expiresAt: iso(r.expires_at),
      payload: parseJson(r.payload),
    };
  }

  async purgeExpiredWebhooks(now: string): Promise<number> {
    const { rows } = await this.db.query('delete from raw_webhooks where expires_at <= $1 returning event_id', [now]);
    return rows.length;
  }

  health(): Promise<StoreHealth> {
    return probeHealth(this.store, this.kind, () => this.db.query('select 1 from transcript_turns limit 1'));
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
