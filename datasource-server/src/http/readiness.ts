import type { StoreHealth, Stores } from '@mwva/voice-core';

export type ReadinessState = 'starting' | 'ready' | 'draining';

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  stores: StoreHealth[];
}

/**
 * Whether this replica should receive traffic: every store answers and it is not draining.
 * Each store's probe has its own timeout (see probeHealth), so a hanging store is named, not waited on.
 */
export class Readiness {
  state: ReadinessState = 'starting';

  constructor(private readonly stores: Stores) {}

  async report(): Promise<ReadinessReport> {
    const stores = await this.stores.health();
    if (this.state === 'draining') return { status: 'draining', stores };
    const ok = this.state === 'ready' && stores.every((s) => s.ok);
    return { status: ok ? 'ready' : 'not_ready', stores };
  }
}
