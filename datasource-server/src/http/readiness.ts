import type { StoreHealth, Stores } from '@mwva/voice-core';

export type ReadinessState = 'starting' | 'ready' | 'draining';

export interface ReadinessReport {
  status: 'ready' | 'not_ready' | 'draining';
  stores: StoreHealth[];
}

/** Tracks whether this replica should receive traffic: all stores answer and it is not draining. */
export class Readiness {
  state: ReadinessState = 'starting';

  constructor(
    private readonly stores: Stores,
    private readonly probeTimeoutMs = 2000,
  ) {}

  async report(): Promise<ReadinessReport> {
    const stores = await withTimeout(this.stores.health(), this.probeTimeoutMs);
    if (this.state === 'draining') return { status: 'draining', stores };
    const ok = this.state === 'ready' && stores.every((s) => s.ok);
    return { status: ok ? 'ready' : 'not_ready', stores };
  }
}

async function withTimeout(pending: Promise<StoreHealth[]>, ms: number): Promise<StoreHealth[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store health probes did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([pending, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
