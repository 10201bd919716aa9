import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { CallRecord } from '../domain';
import type { Stores } from '../ports';
import type { CallMetrics } from '../metrics/call-metrics';
import { CarrierError, type CallCommands, type DialResult } from '../telnyx/commands';
import { encodeClientState } from '../telnyx/webhook-event';
import type { CallEngine } from './engine';
import { freshCall } from './live-call';

export interface OutboundCallRequest {
  to: string;
  from: string;
  persona: string | null;
  campaign: string | null;
}

export interface DialerOptions {
  /** Sustained dials per second across all replicas (Telnyx's default account limit is 30/s). */
  ratePerSecond: number;
  /** Concurrent calls (CALL_CAPACITY): no dial starts while this many calls are active. */
  capacity: number;
  /** Dial with answering-machine detection. */
  answeringMachineDetection: boolean;
  /** How often an idle dialer looks for queued calls. */
  pollMs?: number;
}

/**
 * The outbound queue. Accepted calls are rows with status `queued` (durable, shared by all
 * replicas); each replica's loop claims them while capacity and the shared rate limit allow,
 * and dials them. A 429 from the carrier puts the call back and pauses the loop.
 */
export class Dialer {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private pausedUntil = 0;

  constructor(
    private readonly deps: {
      stores: Stores;
      commands: CallCommands;
      engine: CallEngine;
      metrics: CallMetrics;
      logger: Logger;
    },
    private readonly options: DialerOptions,
  ) {}

  /** Accepts a call for dialling (202): it is stored as queued before this returns. */
  async enqueue(request: OutboundCallRequest): Promise<CallRecord> {
    const now = new Date().toISOString();
    const call: CallRecord = {
      id: randomUUID(),
      direction: 'outbound',
      status: 'queued',
      from: request.from,
      to: request.to,
      persona: request.persona,
      campaign: request.campaign,
      callControlId: null,
      callSessionId: null,
      startedAt: now,
      answeredAt: null,
      endedAt: null,
      outcome: null,
      hangupCause: null,
      hangupSource: null,
      costUsd: null,
      updatedAt: now,
    };
    await this.deps.stores.calls.upsertCall(call);
    this.wake?.();
    return call;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops claiming new calls and waits for dials in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled(this.inFlight);
  }

  private async run(): Promise<void> {
    const { stores, logger } = this.deps;
    while (this.running) {
      try {
        if (Date.now() < this.pausedUntil) {
          await this.sleep(this.pausedUntil - Date.now());
          continue;
        }
        if ((await stores.state.countActive()) >= this.options.capacity) {
          await this.sleep(this.options.pollMs ?? 100);
          continue;
        }
        const [call] = await stores.calls.claimQueuedCalls(1);
        if (!call) {
          await this.sleep(this.options.pollMs ?? 100);
          continue;
        }
        // The slot is taken atomically (shared across replicas) before the next capacity check.
        if (!(await stores.state.acquireSlot(call.id, this.options.capacity))) {
          await stores.calls.upsertCall({ ...call, status: 'queued' });
          await this.sleep(this.options.pollMs ?? 100);
          continue;
        }
        this.deps.metrics.dialQueueWait.observe((Date.now() - Date.parse(call.startedAt)) / 1000);
        for (let wait = await this.takeToken(); wait > 0; wait = await this.takeToken()) await this.sleep(wait, false);
        const dial = this.dial(call).finally(() => this.inFlight.delete(dial));
        this.inFlight.add(dial);
      } catch (err) {
        logger.warn({ err }, 'dialer loop error; retrying');
        await this.sleep(1000);
      }
    }
  }

  private takeToken(): Promise<number> {
    return this.deps.stores.state.takeToken('dial', this.options.ratePerSecond);
  }

  private async dial(call: CallRecord): Promise<void> {
    const { engine, metrics, logger } = this.deps;
    const live = freshCall({ ...call, status: 'dialing' }, 'dialing', this.options.answeringMachineDetection);
    try {
      await engine.registerOutbound(live);
      const dialed = await this.dialWithRetries(call);
      metrics.callSetup.observe((Date.now() - Date.parse(call.startedAt)) / 1000);
      // Events that come without our client_state are routed by these ids. The call is placed
      // either way: if this fails, the ids are learned from the first event that has them.
      await engine
        .recordDialed(call.id, dialed)
        .catch((err: unknown) => logger.warn({ err, callId: call.id }, 'could not record the dialled call ids'));
    } catch (err) {
      // Never rejects: the dial runs detached from the loop, and an unhandled rejection would
      // end the process (seen when Redis went away in the middle of a failed dial).
      await this.afterFailedDial(call, err).catch((cleanupErr: unknown) =>
        logger.error(
          { err: cleanupErr, dialError: err, callId: call.id },
          'could not record a failed dial; the recovery sweep finalizes ended calls',
        ),
      );
    }
  }

  private async afterFailedDial(call: CallRecord, err: unknown): Promise<void> {
    const { stores, engine, logger } = this.deps;
    // Best effort: the store may be why the dial failed. The call's record below is what counts.
    await Promise.all([stores.state.delete(call.id), stores.state.markInactive(call.id)]).catch((stateErr: unknown) =>
      logger.warn({ err: stateErr, callId: call.id }, 'could not release the live state of a failed dial'),
    );
    if (err instanceof CarrierError && err.status === 429) {
      // Over the carrier's rate: back in the queue, and everyone here waits.
      this.pausedUntil = Date.now() + (err.retryAfterMs ?? 1000);
      await stores.calls.upsertCall({ ...call, status: 'queued' });
      return;
    }
    logger.warn({ err, callId: call.id }, 'dial failed');
    const now = new Date().toISOString();
    await stores.calls.upsertCall({
      ...call,
      status: 'ended',
      endedAt: now,
      outcome: 'failed',
      hangupCause: err instanceof CarrierError ? `dial_failed_${err.status}` : 'dial_failed',
      updatedAt: now,
    });
    await engine.finalize(call.id);
  }

  /**
   * Timeouts and 5xx are retried with the same command_id: Telnyx de-duplicates it, so a dial
   * that did go through is not placed twice. A 429 or 4xx is final here (the caller decides).
   */
  private async dialWithRetries(call: CallRecord, attempts = 3): Promise<DialResult> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.deps.commands.dial({
          to: call.to,
          from: call.from,
          clientState: encodeClientState({ callId: call.id }),
          commandId: call.id,
          answeringMachineDetection: this.options.answeringMachineDetection,
        });
      } catch (err) {
        const transient = err instanceof CarrierError && (err.status === 0 || err.status >= 500);
        if (!transient || attempt >= attempts) throw err;
        await this.sleep(250 * 2 ** (attempt - 1), false);
      }
    }
  }

  private sleep(ms: number, wakeable = true): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(1, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      if (wakeable) this.wake = done;
    });
  }
}
