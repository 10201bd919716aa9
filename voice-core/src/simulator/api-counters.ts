import { summarize, type WebhookDispatcher } from './delivery';
import type { SimulatedCall } from './simulated-call';
import type { SimulatedOutcome, SimulatorStats } from './types';

/** What the carrier API answered: commands, dials and responses by status. */
export class ApiCounters {
  commandsTotal = 0;
  readonly byName: Record<string, Record<string, number>> = {};
  faultsInjected = 0;
  idempotentReplays = 0;
  dialsAccepted = 0;
  rateLimited = 0;
  readonly responsesByStatus: Record<string, number> = {};

  countCommand(name: string, status: number): void {
    this.commandsTotal++;
    const byStatus = (this.byName[name] ??= {});
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }

  countResponse(status: number): void {
    this.responsesByStatus[status] = (this.responsesByStatus[status] ?? 0) + 1;
  }
}

/** stats(): a copy of every counter, with the calls tallied now. */
export function statsSnapshot(
  calls: readonly SimulatedCall[],
  dispatcher: WebhookDispatcher,
  api: ApiCounters,
): SimulatorStats {
  const byOutcome: Record<SimulatedOutcome, number> = {
    active: 0,
    converted: 0,
    declined: 0,
    abandoned: 0,
    machine: 0,
    no_answer: 0,
    busy: 0,
    rejected: 0,
    unanswered: 0,
  };
  const byHangupCause: Record<string, number> = {};
  let inbound = 0;
  let answered = 0;
  for (const { record: r } of calls) {
    byOutcome[r.outcome]++;
    if (r.hangupCause) byHangupCause[r.hangupCause] = (byHangupCause[r.hangupCause] ?? 0) + 1;
    if (r.direction === 'inbound') inbound++;
    if (r.answered) answered++;
  }
  return {
    calls: {
      total: calls.length,
      active: byOutcome.active,
      ended: calls.length - byOutcome.active,
      inbound,
      outbound: calls.length - inbound,
      answered,
      byOutcome,
      byHangupCause,
    },
    webhooks: { ...dispatcher.counters, latencyMs: summarize(dispatcher.latencies) },
    commands: {
      total: api.commandsTotal,
      byName: structuredClone(api.byName),
      faultsInjected: api.faultsInjected,
      idempotentReplays: api.idempotentReplays,
    },
    dials: { accepted: api.dialsAccepted, rateLimited: api.rateLimited },
    responsesByStatus: { ...api.responsesByStatus },
  };
}
