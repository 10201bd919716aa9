import type { CallOutcome } from '../domain';
import type { SimulatedCallRecord } from './types';

/** The outcome our side must record for what the simulated prospect did (reports and tests compare them). */
export function expectedOutcome(sim: Pick<SimulatedCallRecord, 'outcome'>): CallOutcome {
  switch (sim.outcome) {
    case 'converted':
      return 'converted';
    case 'machine':
      return 'voicemail';
    case 'no_answer':
    case 'busy':
    case 'unanswered':
    case 'rejected':
      return 'no_answer';
    default:
      return 'not_converted';
  }
}
