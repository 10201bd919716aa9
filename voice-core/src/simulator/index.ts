/**
 * The Telnyx-side simulator: a carrier that serves the Call Control v2 endpoints the `telnyx` SDK
 * uses and sends properly signed webhooks, with seeded prospects whose hidden preferences make
 * learning measurable. See README.md in this folder.
 */
export { createCarrierSimulator } from './simulator';
export { SIM_TIMING } from './timing';
export { OBJECTION_KINDS, OBJECTION_PHRASINGS, type ObjectionKind } from './corpus';
export {
  appeal,
  conversionProbability,
  createProspect,
  normalizeAnswer,
  CONVERSION_FLOOR,
  CONVERSION_CEILING,
  PICKUP_RATES,
  MACHINE_RATE,
  BARGE_IN_RATE,
  type ProspectAnswer,
  type ProspectProfile,
} from './prospect';
export { signWebhook, type WebhookEnvelope, type EventData } from './delivery';
export type * from './types';
export { expectedOutcome } from './outcome';
