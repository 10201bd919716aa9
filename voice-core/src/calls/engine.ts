import type { Logger } from 'pino';
import type { CallEvent, CallOutcome, RawWebhook, UnrecognisedUtterance, VectorItem } from '../domain';
import { GroupCommit } from '../util/group-commit';
import { Batcher } from '../util/batcher';
import type { Stores } from '../ports';
import type { Agent } from '../conversation/agent';
import type { CallMetrics } from '../metrics/call-metrics';
import { CarrierError, type CallCommands } from '../telnyx/commands';
import { encodeClientState, type TelnyxWebhook } from '../telnyx/webhook-event';
import { CallFlow, callIdOf, EventTooEarly, markApplied, type Plan } from './call-flow';
import { KeyedQueue } from './keyed-queue';
import { commandIdFor, fromJson, toJson, type LiveCall } from './live-call';

export interface CallEngineOptions {
  /** Live state lives this long after the last change (covers the longest call). */
  stateTtlSeconds?: number;
  /** Idempotency keys of webhook ids live this long (Telnyx retries for minutes; ≥ 10 min). */
  dedupeTtlSeconds?: number;
  /** After hang-up and cost, wait this long for late (reordered) events before finalizing. */
  finalizeSettleMs?: number;
  /** An early event is retried this many times (with backoff) before the recovery sweep takes over. */
  earlyRetries?: number;
  /** Raw webhook bodies are kept this long. */
  rawWebhookTtlSeconds?: number;
}

export interface CallEngineDeps {
  stores: Stores;
  commands: CallCommands;
  agent: Agent;
  metrics: CallMetrics;
  logger: Logger;
  /** Called once per call after it was counted and credited (Beast Mode, learning evaluation). */
  onFinalized?: (callId: string, outcome: CallOutcome) => Promise<void> | void;
}

export type IngestResult = 'accepted' | 'duplicate';

/** Vector collections the engine writes: every prospect turn, and the turns nobody understood. */
export const UTTERANCES_COLLECTION = 'utterances';
export const UNRECOGNISED_COLLECTION = 'unrecognised';

async function writeVectors(stores: Stores, writes: { collection: string; item: VectorItem }[]): Promise<void> {
  const byCollection = new Map<string, VectorItem[]>();
  for (const w of writes) byCollection.set(w.collection, [...(byCollection.get(w.collection) ?? []), w.item]);
  for (const [collection, items] of byCollection) await stores.vectors.upsert(collection, items);
}

const CAS_ATTEMPTS = 20;

/**
 * Applies Telnyx events to calls. A webhook is acknowledged once it is stored (the call-event
 * table is the inbox); applying it happens right after, one event at a time per call in this
 * process, and through compare-and-set on the shared call state across replicas.
 */
export class CallEngine {
  private readonly flow: CallFlow;
  private readonly queue = new KeyedQueue();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly options: Required<CallEngineOptions>;
  /** Applied-marks and search vectors are written in batches, off the per-event path. */
  private readonly appliedMarks: Batcher<string>;
  /** The inbox write that must happen before a webhook is acknowledged, shared by concurrent requests. */
  private readonly inbox: GroupCommit<CallEvent, boolean>;
  private readonly rawWebhooks: Batcher<RawWebhook>;
  private readonly vectorWrites: Batcher<{ collection: string; item: VectorItem }>;
  private readonly reviewWrites: Batcher<UnrecognisedUtterance>;
  private readonly latencyWrites: Batcher<{ at: string; latencyMs: number }>;
  private stopped = false;

  constructor(
    private readonly deps: CallEngineDeps,
    options: CallEngineOptions = {},
  ) {
    this.flow = new CallFlow(deps.agent);
    this.options = {
      stateTtlSeconds: options.stateTtlSeconds ?? 6 * 3600,
      dedupeTtlSeconds: options.dedupeTtlSeconds ?? 3600,
      finalizeSettleMs: options.finalizeSettleMs ?? 2000,
      earlyRetries: options.earlyRetries ?? 8,
      rawWebhookTtlSeconds: options.rawWebhookTtlSeconds ?? 7 * 24 * 3600,
    };
    this.inbox = new GroupCommit(async (events) => {
      const fresh = new Set(await deps.stores.calls.appendEvents(events));
      // The first copy of an id in the batch is the new one; later copies are duplicates.
      return events.map((e) => fresh.delete(e.id));
    });
    // The raw body is for audit and replay; the event itself is already durable in the inbox.
    this.rawWebhooks = new Batcher(
      async (webhooks) => void (await deps.stores.transcripts.saveRawWebhooks(webhooks)),
      (err) => deps.logger.warn({ err }, 'could not keep raw webhook bodies (audit copy only)'),
      200,
      100,
    );
    // A lost mark only means the recovery sweep finds the event applied already (state.applied).
    this.appliedMarks = new Batcher(
      (ids) => deps.stores.calls.markEventsApplied(ids),
      (err) => deps.logger.warn({ err }, 'could not mark events applied; the recovery sweep will'),
    );
    this.reviewWrites = new Batcher(
      (items) => deps.stores.transcripts.saveUnrecognised(items),
      (err) => deps.logger.warn({ err }, 'could not keep unrecognised utterances for review'),
      200,
      200,
    );
    this.latencyWrites = new Batcher(
      (samples) => deps.stores.analytics.addTurnLatencies(samples),
      (err) => deps.logger.warn({ err }, 'could not add turn latencies to the dashboard rollup'),
      1000,
      1000,
    );
    this.vectorWrites = new Batcher(
      (writes) => writeVectors(deps.stores, writes),
      (err) => deps.logger.warn({ err }, 'could not index utterances (search and review only; calls are unaffected)'),
      200,
      200,
    );
  }

  /** Stores a verified webhook once (de-duplicated on `data.id`) and schedules its application. */
  async ingest(
    webhook: TelnyxWebhook,
    rawBody: Record<string, unknown>,
    receivedAt = performance.now(),
  ): Promise<IngestResult> {
    const { stores, metrics } = this.deps;
    const data = webhook.data;
    const claimKey = `event:${data.id}`;
    if (!(await stores.state.claimOnce(claimKey, this.options.dedupeTtlSeconds))) {
      metrics.webhookDuplicates.inc();
      return 'duplicate';
    }
    const event: CallEvent = {
      id: data.id,
      callId: callIdOf(data.payload),
      type: data.event_type,
      occurredAt: new Date(data.occurred_at).toISOString(),
      payload: data.payload,
    };
    let stored: boolean;
    try {
      stored = await this.inbox.submit(event);
    } catch (err) {
      // Not acknowledged: let Telnyx's retry claim it again.
      await stores.state.releaseClaim(claimKey).catch(() => undefined);
      throw err;
    }
    if (!stored) {
      metrics.webhookDuplicates.inc();
      return 'duplicate';
    }
    const now = Date.now();
    this.rawWebhooks.add({
      eventId: data.id,
      receivedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.rawWebhookTtlSeconds * 1000).toISOString(),
      payload: rawBody,
    });
    this.schedule(event, receivedAt, 0);
    return 'accepted';
  }

  /** Applies a stored event (again); used by the recovery sweep for events left unapplied. */
  reapply(event: CallEvent): Promise<void> {
    return this.queue.run(event.callId, () => this.apply(event, null, this.options.earlyRetries));
  }

  /** Creates the live state of an outbound call before it is dialled (the dialer calls this). */
  async registerOutbound(call: LiveCall): Promise<void> {
    const version = await this.deps.stores.state.compareAndSet(
      call.record.id,
      toJson(call),
      0,
      this.options.stateTtlSeconds,
    );
    if (version === null) throw new Error(`call ${call.record.id} already has live state`);
    await this.deps.stores.state.markActive(call.record.id);
  }

  /**
   * A CRM disposition (POST /api/calls/:id/outcome). Before the call is counted it decides the
   * outcome that is credited; afterwards the same outcome is a no-op and a different one a
   * conflict, so learning is credited exactly once.
   */
  async recordOutcome(
    callId: string,
    outcome: 'converted' | 'not_converted',
  ): Promise<'recorded' | 'unchanged' | 'conflict' | 'not_found'> {
    const { stores } = this.deps;
    let result: 'recorded' | 'unchanged' | 'conflict' | 'not_found' = 'recorded';
    await this.queue.run(callId, async () => {
      const record = await stores.calls.getCall(callId);
      if (!record) {
        result = 'not_found';
        return;
      }
      if (await stores.calls.isRolledUp(callId)) {
        result = record.outcome === outcome ? 'unchanged' : 'conflict';
        return;
      }
      const ended = record.status === 'ended';
      const updated = { ...record, outcome: ended ? outcome : record.outcome, updatedAt: new Date().toISOString() };
      await this.mutate(callId, (live) => ({
        ...live,
        verdict: outcome,
        record: { ...live.record, outcome: updated.outcome, updatedAt: updated.updatedAt },
      }));
      await stores.calls.upsertCall(updated);
      if (ended) await this.finalize(callId);
    });
    return result;
  }

  /**
   * Counts a finished call once (rollup), credits every (decision point → response) pair it used
   * once (learning graph), and frees its capacity slot. Safe to call again.
   */
  async finalize(callId: string): Promise<void> {
    const { stores, metrics, agent } = this.deps;
    const call = await stores.calls.getCall(callId);
    if (!call || call.status !== 'ended' || !call.outcome) return;
    const live = await stores.state.get(callId);
    const pairs = live ? fromJson(live.state).pairs : [];
    await stores.graph.credit(callId, pairs, call.outcome === 'converted');
    for (const pair of pairs) agent.invalidate(pair.objectionId);
    const counted = await stores.calls.addToRollup(call);
    await stores.state.markInactive(callId);
    if (counted) {
      metrics.callsTotal.inc({ direction: call.direction, outcome: call.outcome });
      await this.deps.onFinalized?.(callId, call.outcome);
    }
  }

  /** Waits until every scheduled event has been applied and its batched writes are done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.queue.size > 0) {
      await this.queue.drain();
      if (this.timers.size > 0) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(
      [this.appliedMarks, this.vectorWrites, this.rawWebhooks, this.reviewWrites, this.latencyWrites].map((b) =>
        b.flush(),
      ),
    );
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private schedule(event: CallEvent, receivedAt: number | null, attempt: number, delayMs = 0): void {
    if (this.stopped) return;
    const run = () => this.queue.run(event.callId, () => this.apply(event, receivedAt, attempt));
    if (delayMs === 0) {
      void run();
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void run();
    }, delayMs);
    this.timers.add(timer);
  }

  private async apply(event: CallEvent, receivedAt: number | null, attempt: number): Promise<void> {
    const { metrics, logger } = this.deps;
    try {
      const result = await this.applyOnce(event, receivedAt);
      metrics.eventsApplied.inc({ event_type: event.type, result });
    } catch (err) {
      if (err instanceof EventTooEarly && attempt < this.options.earlyRetries) {
        metrics.eventsApplied.inc({ event_type: event.type, result: 'deferred' });
        this.schedule(event, receivedAt, attempt + 1, Math.min(2000, 25 * 2 ** attempt));
        return;
      }
      // Left unapplied in the inbox: the recovery sweep retries it.
      metrics.eventsApplied.inc({ event_type: event.type, result: 'error' });
      logger.warn({ err, eventId: event.id, callId: event.callId, type: event.type }, 'event not applied yet');
    }
  }

  private async applyOnce(event: CallEvent, receivedAt: number | null): Promise<'applied' | 'ignored' | 'duplicate'> {
    const { stores } = this.deps;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
      const stored = await stores.state.get(event.callId);
      const current = stored ? fromJson(stored.state) : null;
      if (current?.applied.includes(event.id)) {
        this.appliedMarks.add(event.id);
        return 'duplicate';
      }
      if (!current && (await this.isOrphan(event))) return 'ignored';
      const now = new Date().toISOString();
      const plan = await this.flow.plan(current, event, now);
      if (!plan) {
        if (current) await this.mutateVersioned(event.callId, markApplied(current, event.id), stored!.version);
        this.appliedMarks.add(event.id);
        return 'ignored';
      }
      // Durable, idempotent writes first: a lost race below only repeats them.
      await this.persist(plan, receivedAt);
      const next = markApplied(plan.next, event.id);
      const version = await stores.state.compareAndSet(
        event.callId,
        toJson(next),
        stored?.version ?? 0,
        this.options.stateTtlSeconds,
      );
      if (version === null) continue; // another replica changed the call: plan again on its state
      if (!current) await stores.state.markActive(event.callId);
      await this.execute(plan, event, receivedAt);
      this.appliedMarks.add(event.id);
      if (plan.settle) this.settleThenFinalize(event.callId);
      this.indexTurns(plan);
      return 'applied';
    }
    throw new Error(`call ${event.callId}: state kept changing under ${CAS_ATTEMPTS} attempts`);
  }

  /**
   * An event of a call we already closed without live state — typically a dial we gave up on
   * (timeout) that the carrier placed after all. It is acknowledged, and the stray call hung up.
   */
  private async isOrphan(event: CallEvent): Promise<boolean> {
    if (event.type === 'call.initiated' && (event.payload as { direction?: string }).direction === 'incoming')
      return false;
    const record = await this.deps.stores.calls.getCall(event.callId);
    if (record?.status !== 'ended') return false;
    this.appliedMarks.add(event.id);
    const callControlId = (event.payload as { call_control_id?: string }).call_control_id;
    if (event.type !== 'call.hangup' && event.type !== 'call.cost' && callControlId) {
      await this.deps.commands
        .hangup(callControlId, { commandId: commandIdFor(event.callId, 999) })
        .catch(() => undefined);
    }
    return true;
  }

  private async persist(plan: Plan, receivedAt: number | null): Promise<void> {
    const { stores } = this.deps;
    if (plan.persistRecord) await stores.calls.upsertCall(plan.next.record);
    const latencyMs = receivedAt === null ? null : Math.round((performance.now() - receivedAt) * 10) / 10;
    for (const turn of plan.turns) {
      const answer = turn.seq === plan.answerSeq && latencyMs !== null;
      await stores.transcripts.appendTurn(answer ? { ...turn, latencyMs } : turn);
      if (answer) this.latencyWrites.add({ at: turn.startedAt, latencyMs: latencyMs! });
    }
  }

  /** Carrier commands, each with a command_id derived from the event so a re-apply is de-duplicated by Telnyx. */
  private async execute(plan: Plan, event: CallEvent, receivedAt: number | null): Promise<void> {
    const { commands, metrics, logger } = this.deps;
    const id = plan.next.record.callControlId;
    if (!id || plan.commands.length === 0) return;
    const clientState = encodeClientState({ callId: plan.next.record.id });
    for (const [index, command] of plan.commands.entries()) {
      const opts = { commandId: commandIdFor(event.id, index), clientState };
      try {
        switch (command.kind) {
          case 'answer':
            await commands.answer(id, opts);
            break;
          case 'speak':
            if (command.respondsToTurn && receivedAt !== null) {
              metrics.turnLatency.observe((performance.now() - receivedAt) / 1000);
            }
            await commands.speak(id, command.text, opts);
            break;
          case 'transcription_start':
            await commands.startTranscription(id, opts);
            break;
          case 'hangup':
            await commands.hangup(id, opts);
            break;
        }
      } catch (err) {
        // The conversation goes on: the prospect re-prompts, or the call ends and is finalized.
        // A call that already ended (the prospect hung up first) refuses commands: expected.
        const ended = err instanceof CarrierError && (err.status === 404 || err.status === 422);
        const log = { err, callId: plan.next.record.id, command: command.kind };
        if (ended) logger.debug(log, 'carrier refused a command: the call has ended');
        else logger.warn(log, 'carrier command failed');
      }
    }
  }

  /** Off the response path: embeddings for semantic transcript search and unrecognised utterances. */
  private indexTurns(plan: Plan): void {
    const callId = plan.next.record.id;
    for (const t of plan.turnEmbeddings) {
      this.vectorWrites.add({
        collection: UTTERANCES_COLLECTION,
        item: { id: `${callId}:${t.seq}`, embedding: t.embedding, document: t.text, metadata: { callId, seq: t.seq } },
      });
    }
    const u = plan.unrecognised;
    if (u) {
      this.reviewWrites.add({
        callId,
        seq: u.seq,
        text: u.text,
        at: new Date().toISOString(),
        nearestIntentId: u.nearestIntentId,
        similarity: u.similarity,
      });
      this.vectorWrites.add({
        collection: UNRECOGNISED_COLLECTION,
        item: {
          id: `${callId}:${u.seq}`,
          embedding: u.embedding,
          document: u.text,
          metadata: { callId, seq: u.seq, at: new Date().toISOString() },
        },
      });
    }
  }

  private settleThenFinalize(callId: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.queue.run(callId, () =>
        this.finalize(callId).catch((err: unknown) =>
          this.deps.logger.warn({ err, callId }, 'finalize failed; the sweep retries'),
        ),
      );
    }, this.options.finalizeSettleMs);
    this.timers.add(timer);
  }

  /** Read-modify-write of a call's live state with compare-and-set; a call without live state is left alone. */
  private async mutate(callId: string, change: (call: LiveCall) => LiveCall): Promise<void> {
    const { stores } = this.deps;
    for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt += 1) {
      const stored = await stores.state.get(callId);
      if (!stored) return;
      const next = change(fromJson(stored.state));
      if (
        (await stores.state.compareAndSet(callId, toJson(next), stored.version, this.options.stateTtlSeconds)) !== null
      )
        return;
    }
    throw new Error(`call ${callId}: state kept changing under ${CAS_ATTEMPTS} attempts`);
  }

  private async mutateVersioned(callId: string, next: LiveCall, version: number): Promise<void> {
    await this.deps.stores.state.compareAndSet(callId, toJson(next), version, this.options.stateTtlSeconds);
  }
}
