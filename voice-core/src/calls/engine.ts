import type { Logger } from 'pino';
import type { CallEvent, CallOutcome, RawWebhook, TranscriptTurn, UnrecognisedUtterance, VectorItem } from '../domain';
import { GroupCommit } from '../util/group-commit';
import { isDataError } from '../stores/sql/errors';
import { Batcher } from '../util/batcher';
import type { Stores } from '../ports';
import type { Agent } from '../conversation/agent';
import { vectorCollection } from '../conversation/embedder';
import type { CallMetrics } from '../metrics/call-metrics';
import { CarrierError, type CallCommands, type DialResult } from '../telnyx/commands';
import type { VerifiedWebhook } from '../telnyx/verify';
import { encodeClientState } from '../telnyx/webhook-event';
import { CallFlow, EventTooEarly, markApplied, type Plan } from './call-flow';
import { CallRouter } from './call-router';
import { KeyedQueue } from './keyed-queue';
import { commandIdFor, fromJson, outcomeOf, toJson, type LiveCall } from './live-call';

export interface CallEngineOptions {
  /** Live state lives this long after the last change (covers the longest call). */
  stateTtlSeconds?: number;
  /** After hang-up and cost, wait this long for late (reordered) events before finalizing. */
  finalizeSettleMs?: number;
  /** Finalizing waits (settle after settle) this many times for events of the call still pending. */
  finalizeWaits?: number;
  /** An early event is retried this many times (with backoff) before the recovery sweep takes over. */
  earlyRetries?: number;
  /** Raw webhook bodies are kept this long. */
  rawWebhookTtlSeconds?: number;
  /**
   * A reply is spoken only if its turn reached us at most this long ago. Later, the prospect has
   * re-prompted or hung up, so it would answer nothing; and each stale speak toward a slow or gone
   * carrier held the call's queue (every later event of the call) for seconds.
   */
  replyDeadlineMs?: number;
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

/** What one attempt to apply an event did; the recovery sweep counts the failures. */
export type ApplyResult =
  { status: 'applied' | 'ignored' | 'duplicate' | 'rerouted' } | { status: 'deferred' | 'failed'; error: string };

async function writeVectors(stores: Stores, writes: { collection: string; item: VectorItem }[]): Promise<void> {
  const byCollection = new Map<string, VectorItem[]>();
  for (const w of writes) byCollection.set(w.collection, [...(byCollection.get(w.collection) ?? []), w.item]);
  for (const [collection, items] of byCollection) await stores.vectors.upsert(collection, items);
}

const CAS_ATTEMPTS = 20;
/** A failed write of applied marks is retried after this long (they are idempotent). */
const MARK_RETRY_MS = 1000;

/**
 * Applies Telnyx events to calls. A webhook is acknowledged once it is stored (the call-event
 * table is the inbox); applying it happens right after, one event at a time per call in this
 * process, and through compare-and-set on the shared call state across replicas.
 */
export class CallEngine {
  private readonly flow: CallFlow;
  readonly router: CallRouter;
  private readonly queue = new KeyedQueue();
  /**
   * Events that came before what they depend on, per call. Whenever another event of the call
   * applies they are tried again at once, oldest `occurred_at` first, so a reordered call
   * replays in the order things happened instead of in the order timers fire.
   */
  private readonly parked = new Map<string, Map<string, { event: CallEvent; receivedAt: number | null }>>();
  /** Retries of events that came too early (durable in the inbox: the sweep has them too). */
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Finalizations waiting for late events after hang-up and cost. */
  private readonly settleTimers = new Set<NodeJS.Timeout>();
  private readonly markTimers = new Set<NodeJS.Timeout>();
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
  private retriesStopped = false;

  constructor(
    private readonly deps: CallEngineDeps,
    options: CallEngineOptions = {},
  ) {
    this.flow = new CallFlow(deps.agent);
    this.router = new CallRouter(deps.stores.calls);
    this.options = {
      stateTtlSeconds: options.stateTtlSeconds ?? 6 * 3600,
      finalizeSettleMs: options.finalizeSettleMs ?? 2000,
      finalizeWaits: options.finalizeWaits ?? 5,
      earlyRetries: options.earlyRetries ?? 8,
      rawWebhookTtlSeconds: options.rawWebhookTtlSeconds ?? 7 * 24 * 3600,
      replyDeadlineMs: options.replyDeadlineMs ?? 5000,
    };
    this.inbox = new GroupCommit(async (events) => {
      const fresh = new Set(await deps.stores.calls.appendEvents(events));
      // The first copy of an id in the batch is the new one; later copies are duplicates.
      return events.map((e) => fresh.delete(e.id));
    }, isDataError);
    // The raw body is for audit and replay; the event itself is already durable in the inbox.
    this.rawWebhooks = new Batcher(
      async (webhooks) => void (await deps.stores.transcripts.saveRawWebhooks(webhooks)),
      (err) => deps.logger.warn({ err }, 'could not keep raw webhook bodies (audit copy only)'),
      200,
      100,
    );
    // Marks that fail (Postgres restarting) are written again a second later. Dropped, they left
    // applied events looking unapplied until the sweep reached them behind any backlog: the
    // attempts=0 events the compose db-failover test found after each outage.
    this.appliedMarks = new Batcher(
      (ids) => deps.stores.calls.markEventsApplied(ids),
      (err, ids) => {
        deps.logger.warn({ err, events: ids.length }, 'could not mark events applied; retrying in 1 s');
        this.markAgainLater(ids);
      },
    );
    this.reviewWrites = new Batcher(
      (items) => deps.stores.transcripts.saveUnrecognised(items),
      (err) => deps.logger.warn({ err }, 'could not keep unrecognised utterances for review'),
      200,
      200,
    );
    this.latencyWrites = new Batcher(
      (samples) => deps.stores.calls.addTurnLatencies(samples),
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

  /**
   * Stores a verified webhook once and schedules its application. The inbox's unique key on the
   * event id is the de-duplication: an event counts as seen only once it is durably stored, so
   * a crash before the commit leaves nothing that would turn Telnyx's redelivery away.
   */
  async ingest(verified: VerifiedWebhook, receivedAt = performance.now()): Promise<IngestResult> {
    const { metrics } = this.deps;
    const { webhook, body } = verified;
    const now = Date.now();
    const event: CallEvent = {
      id: webhook.id,
      callId: await this.router.route(webhook.id, webhook.eventType, webhook.payload),
      type: webhook.eventType,
      // Telnyx always sends it; without it, when we got it is the best we know.
      occurredAt: webhook.occurredAt ?? new Date(now).toISOString(),
      payload: webhook.payload,
    };
    if (!(await this.inbox.submit(event))) {
      metrics.webhookDuplicates.inc();
      return 'duplicate';
    }
    this.rawWebhooks.add({
      eventId: webhook.id,
      receivedAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.options.rawWebhookTtlSeconds * 1000).toISOString(),
      payload: body,
    });
    this.schedule(event, receivedAt, 0);
    return 'accepted';
  }

  /**
   * Applies a stored event (again), once, without retry timers of its own: the recovery sweep
   * drives the retries of events left unapplied and counts the failures.
   */
  reapply(event: CallEvent): Promise<ApplyResult> {
    return this.queue.run(event.callId, () => this.apply(event, null, Number.POSITIVE_INFINITY));
  }

  /** The dial went through: the call's Telnyx ids route its events that lack our client_state. */
  async recordDialed(callId: string, dialed: DialResult): Promise<void> {
    this.router.remember(dialed.callControlId, callId);
    const ids = { callControlId: dialed.callControlId, callSessionId: dialed.callSessionId };
    await this.queue.run(callId, async () => {
      let record: LiveCall['record'] | null = null;
      await this.mutate(callId, (live) => {
        if (live.record.callControlId) return live;
        record = { ...live.record, ...ids };
        return { ...live, record };
      });
      if (record) await this.deps.stores.calls.upsertCall(record);
    });
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
        disposition: outcome,
        record: { ...live.record, outcome: updated.outcome, updatedAt: updated.updatedAt },
      }));
      await stores.calls.upsertCall(updated);
      if (ended) await this.finalize(callId, { force: true });
    });
    return result;
  }

  /**
   * Counts a finished call once (rollup), credits every (decision point → response) pair it used
   * once (learning graph), and frees its capacity slot. Safe to call again.
   *
   * The outcome is decided here from everything the call's events established. While events of
   * the call are still pending in the inbox (reordered ones waiting for what they depend on),
   * it returns 'pending' and does nothing, unless `force` (the recovery sweep, long after).
   */
  async finalize(callId: string, options: { force?: boolean } = {}): Promise<'finalized' | 'pending' | 'skipped'> {
    const { stores, metrics, agent } = this.deps;
    const stored = await stores.calls.getCall(callId);
    if (!stored || stored.status !== 'ended') return 'skipped';
    const state = await stores.state.get(callId);
    const live = state ? fromJson(state.state) : null;
    if (live && !options.force) {
      const applied = new Set(live.applied);
      const pending = (await stores.calls.listPendingEventIds(callId)).filter((id) => !applied.has(id));
      if (pending.length > 0) return 'pending';
    }
    const outcome = live && !live.counted ? outcomeOf(live, stored.hangupCause) : stored.outcome;
    if (!outcome) return 'skipped';
    const call = { ...stored, outcome };
    if (call.outcome !== stored.outcome) await stores.calls.upsertCall(call);
    await this.mutate(callId, (l) => ({ ...l, counted: true, record: { ...l.record, outcome } }));
    const pairs = live?.pairs ?? [];
    await stores.graph.credit(callId, pairs, outcome === 'converted');
    for (const pair of pairs) agent.invalidate(pair.objectionId);
    const counted = await stores.calls.addToRollup(call);
    await stores.state.markInactive(callId);
    this.parked.delete(callId);
    if (counted) {
      metrics.callsTotal.inc({ direction: call.direction, outcome });
      await this.deps.onFinalized?.(callId, outcome);
    }
    return 'finalized';
  }

  /** Waits until every scheduled event has been applied and its batched writes are done (tests, shutdown). */
  async idle(): Promise<void> {
    const waiting = () => this.timers.size + this.settleTimers.size;
    while (waiting() > 0 || this.queue.size > 0) {
      await this.queue.drain();
      if (waiting() > 0) await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all(
      [this.appliedMarks, this.vectorWrites, this.rawWebhooks, this.reviewWrites, this.latencyWrites].map((b) =>
        b.flush(),
      ),
    );
  }

  /**
   * Shutdown, first step: no more retries of early events (they stay in the inbox for the
   * sweep of any replica). What is queued still applies, and ended calls still finalize.
   */
  stopRetries(): void {
    this.retriesStopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** Shutdown, last step: nothing scheduled runs any more (the sweep finalizes what is left). */
  stop(): void {
    this.stopRetries();
    this.stopped = true;
    for (const timer of [...this.settleTimers, ...this.markTimers]) clearTimeout(timer);
    this.settleTimers.clear();
    this.markTimers.clear();
  }

  /** Re-queues applied marks whose write failed; after stop() the sweep finds them applied. */
  private markAgainLater(ids: string[]): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.markTimers.delete(timer);
      for (const id of ids) this.appliedMarks.add(id);
    }, MARK_RETRY_MS);
    timer.unref();
    this.markTimers.add(timer);
  }

  private schedule(event: CallEvent, receivedAt: number | null, attempt: number, delayMs = 0): void {
    if (this.stopped || (delayMs > 0 && this.retriesStopped)) return;
    const run = () => this.queue.run(event.callId, () => this.apply(event, receivedAt, attempt)).then(() => undefined);
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

  private async apply(event: CallEvent, receivedAt: number | null, attempt: number): Promise<ApplyResult> {
    const { metrics, logger } = this.deps;
    try {
      const status = await this.applyOnce(event, receivedAt);
      metrics.eventsApplied.inc({ event_type: event.type, result: status });
      this.parked.get(event.callId)?.delete(event.id);
      if (status !== 'duplicate') await this.applyParked(event.callId);
      return { status };
    } catch (err) {
      if (err instanceof EventTooEarly) return this.deferred(event, receivedAt, attempt, err);
      // Left unapplied in the inbox: the recovery sweep retries it.
      metrics.eventsApplied.inc({ event_type: event.type, result: 'error' });
      logger.warn({ err, eventId: event.id, callId: event.callId, type: event.type }, 'event not applied yet');
      return { status: 'failed', error: (err as Error).message };
    }
  }

  /** An event that came too early: moved to its real call if it was misrouted, else parked and retried. */
  private async deferred(
    event: CallEvent,
    receivedAt: number | null,
    attempt: number,
    reason: EventTooEarly,
  ): Promise<ApplyResult> {
    const callId = await this.router.reroute(event.callId, event.payload);
    if (callId) {
      await this.deps.stores.calls.rerouteEvent(event.id, callId);
      this.schedule({ ...event, callId }, receivedAt, attempt);
      return { status: 'rerouted' };
    }
    this.deps.metrics.eventsApplied.inc({ event_type: event.type, result: 'deferred' });
    if (attempt < this.options.earlyRetries) {
      this.park(event, receivedAt);
      this.schedule(event, receivedAt, attempt + 1, Math.min(2000, 25 * 2 ** attempt));
    }
    return { status: 'deferred', error: reason.message };
  }

  private park(event: CallEvent, receivedAt: number | null): void {
    let parked = this.parked.get(event.callId);
    if (!parked) this.parked.set(event.callId, (parked = new Map()));
    parked.set(event.id, { event, receivedAt });
  }

  /** Retries the call's parked events in the order they happened, as long as one of them applies. */
  private async applyParked(callId: string): Promise<void> {
    const parked = this.parked.get(callId);
    for (let progress = true; progress && parked && parked.size > 0;) {
      progress = false;
      const waiting = [...parked.values()].sort((a, b) => compareOccurred(a.event, b.event));
      for (const { event, receivedAt } of waiting) {
        try {
          const status = await this.applyOnce(event, receivedAt);
          this.deps.metrics.eventsApplied.inc({ event_type: event.type, result: status });
          parked.delete(event.id);
          progress = true;
        } catch (err) {
          if (err instanceof EventTooEarly) continue;
          parked.delete(event.id); // its own timer or the recovery sweep tries it again
        }
      }
    }
    if (parked?.size === 0) this.parked.delete(callId);
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
      const turnsTaken = await this.persist(plan, receivedAt);
      const next = markApplied(plan.next, event.id);
      const version = await stores.state.compareAndSet(
        event.callId,
        toJson(next),
        stored?.version ?? 0,
        this.options.stateTtlSeconds,
      );
      if (version === null) continue; // another replica changed the call: plan again on its state
      // Won: a seq another replica's losing plan wrote first is ours, so our turn replaces it.
      for (const turn of turnsTaken) await stores.transcripts.appendTurn(turn);
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

  /**
   * Writes the call record and the plan's turns before the compare-and-set. Turns are inserted
   * only where their seq is free: a replica planning on the same state and losing the race must
   * not overwrite the winner's turn (the transcript then held one answer twice and lost another).
   * Returns the turns whose seq was taken, for the winner to write after it has won.
   */
  private async persist(plan: Plan, receivedAt: number | null): Promise<TranscriptTurn[]> {
    const { stores } = this.deps;
    if (plan.persistRecord) await stores.calls.upsertCall(plan.next.record);
    const latencyMs = receivedAt === null ? null : Math.round((performance.now() - receivedAt) * 10) / 10;
    const taken: TranscriptTurn[] = [];
    for (const planned of plan.turns) {
      const answer = planned.seq === plan.answerSeq && latencyMs !== null;
      const turn = answer ? { ...planned, latencyMs } : planned;
      if (!(await stores.transcripts.insertTurn(turn))) taken.push(turn);
      if (answer) this.latencyWrites.add({ at: turn.startedAt, latencyMs: latencyMs! });
    }
    return taken;
  }

  /** Carrier commands, each with a command_id derived from the event so a re-apply is de-duplicated by Telnyx. */
  private async execute(plan: Plan, event: CallEvent, receivedAt: number | null): Promise<void> {
    const { commands, metrics, logger } = this.deps;
    const id = plan.next.record.callControlId;
    if (!id || plan.commands.length === 0) return;
    const clientState = encodeClientState({ callId: plan.next.record.id });
    for (const [index, command] of plan.commands.entries()) {
      if (command.kind === 'speak' && this.isLate(receivedAt)) {
        // The turn stays in the transcript; only the reply is not spoken (see replyDeadlineMs).
        metrics.repliesSkipped.inc({ reason: receivedAt === null ? 'recovered' : 'late' });
        logger.debug({ callId: plan.next.record.id, eventId: event.id }, 'late reply not spoken');
        continue;
      }
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

  /** Re-applied by the recovery sweep (no receipt time), or received longer ago than a reply may wait. */
  private isLate(receivedAt: number | null): boolean {
    return receivedAt === null || performance.now() - receivedAt > this.options.replyDeadlineMs;
  }

  /** Off the response path: embeddings for semantic transcript search and unrecognised utterances. */
  private indexTurns(plan: Plan): void {
    const callId = plan.next.record.id;
    for (const t of plan.turnEmbeddings) {
      this.vectorWrites.add({
        collection: vectorCollection('utterances', this.deps.agent.recogniser.embedder),
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
        collection: vectorCollection('unrecognised', this.deps.agent.recogniser.embedder),
        item: {
          id: `${callId}:${u.seq}`,
          embedding: u.embedding,
          document: u.text,
          metadata: { callId, seq: u.seq, at: new Date().toISOString() },
        },
      });
    }
  }

  /** Finalizes once late events had time to arrive; waits longer while some are still pending. */
  private settleThenFinalize(callId: string, waits = 0): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.settleTimers.delete(timer);
      void this.queue.run(callId, async () => {
        try {
          const force = waits >= this.options.finalizeWaits;
          if ((await this.finalize(callId, { force })) === 'pending') this.settleThenFinalize(callId, waits + 1);
        } catch (err) {
          this.deps.logger.warn({ err, callId }, 'finalize failed; the sweep retries');
        }
      });
    }, this.options.finalizeSettleMs);
    this.settleTimers.add(timer);
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

function compareOccurred(a: CallEvent, b: CallEvent): number {
  return a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : a.id < b.id ? -1 : 1;
}
