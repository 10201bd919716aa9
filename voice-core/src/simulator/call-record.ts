import { randomBytes, randomUUID } from 'node:crypto';
import { isoTime } from './clock';
import type { SimulatedCallInit } from './simulated-call';
import type { SimulatedCallRecord, SimulatedOutcome } from './types';

function newCallControlId(): string {
  return `v3:${randomBytes(30).toString('base64url')}`;
}

/** The ground truth of a call that has just started. */
export function newRecord(init: SimulatedCallInit, startedMs: number): SimulatedCallRecord {
  return {
    callControlId: newCallControlId(),
    callLegId: randomUUID(),
    callSessionId: randomUUID(),
    direction: init.direction,
    from: init.from,
    to: init.to,
    prospectKey: init.prospectKey,
    answered: false,
    machine: init.prospect.machine,
    amdResult: null,
    plannedObjections: [...init.prospect.objections],
    objections: [],
    utterances: [],
    agentLines: [],
    answers: [],
    converted: false,
    decided: false,
    conversionProbability: null,
    outcome: 'active',
    hangupCause: null,
    hangupSource: null,
    endedBy: null,
    startedAt: isoTime(startedMs),
    answeredAt: null,
    endedAt: null,
    commands: [],
    webhooks: [],
  };
}

/** The outcome of a call that ended without a more specific one (busy, rejected, voicemail …). */
export function outcomeOf(r: SimulatedCallRecord): SimulatedOutcome {
  if (r.decided) return r.converted ? 'converted' : 'declined';
  if (r.machine && r.answered) return 'machine';
  return r.answered ? 'abandoned' : 'unanswered';
}
