import { Rng } from '../util/rng';
import type { CallEvents } from './call-events';
import type { SimClock } from './clock';
import type { WebhookDispatcher } from './delivery';
import { createProspect } from './prospect';
import { SimulatedCall } from './simulated-call';

export interface CallRegistryOptions {
  seed: number;
  clock: SimClock;
  events: CallEvents;
  dispatcher: Pick<WebhookDispatcher, 'newQueue'>;
}

/** Every call the carrier has seen, by id and in creation order; each new call meets its seeded prospect. */
export class CallRegistry {
  private readonly byId = new Map<string, SimulatedCall>();
  private readonly inOrder: SimulatedCall[] = [];
  /** Calls so far per direction and remote number: the n-th call to a number meets the n-th prospect. */
  private readonly occurrences = new Map<string, number>();

  constructor(private readonly o: CallRegistryOptions) {}

  open(direction: 'inbound' | 'outbound', from: string, to: string, webhookUrl: string): SimulatedCall {
    const base = `${direction}:${direction === 'inbound' ? from : to}`;
    const n = (this.occurrences.get(base) ?? 0) + 1;
    this.occurrences.set(base, n);
    const key = `${base}#${n}`;
    const { seed } = this.o;
    const call = new SimulatedCall({
      direction,
      from,
      to,
      prospectKey: key,
      prospect: createProspect(seed, key, direction),
      timing: new Rng('timing', seed, key),
      webhookUrl,
      clock: this.o.clock,
      events: this.o.events,
      queue: this.o.dispatcher.newQueue(new Rng('faults', seed, key)),
    });
    this.byId.set(call.id, call);
    this.inOrder.push(call);
    return call;
  }

  get(callControlId: string): SimulatedCall | undefined {
    return this.byId.get(callControlId);
  }

  all(): readonly SimulatedCall[] {
    return this.inOrder;
  }
}
