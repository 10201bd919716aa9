import type { Dialer, simulator } from '@mwva/voice-core';
import type { Logger } from '../observability/logger';

/**
 * Simulation mode's steady trickle of calls, so every dashboard has live data on a laptop:
 * alternately an inbound call placed by the simulated carrier and an outbound call queued
 * through the dialer.
 */
export class SimulatedTraffic {
  private timer: NodeJS.Timeout | null = null;
  private count = 0;

  constructor(
    private readonly deps: { carrier: simulator.CarrierSimulator; dialer: Dialer; from: string; logger: Logger },
    private readonly callsPerMinute: number,
  ) {}

  start(): void {
    const intervalMs = 60_000 / this.callsPerMinute;
    this.timer = setInterval(() => void this.next(), intervalMs);
    this.timer.unref();
    void this.next();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async next(): Promise<void> {
    const n = (this.count += 1);
    try {
      if (n % 2 === 1) {
        const { callControlId } = await this.deps.carrier.placeInboundCall();
        this.deps.logger.info({ simulated: true, callControlId }, 'simulated inbound call');
      } else {
        const to = `+1555${String(2000000 + (n % 7000000)).padStart(7, '0')}`;
        const call = await this.deps.dialer.enqueue({
          to,
          from: this.deps.from,
          persona: null,
          campaign: 'simulation',
        });
        this.deps.logger.info({ simulated: true, callId: call.id }, 'simulated outbound call queued');
      }
    } catch (err) {
      this.deps.logger.warn({ err, simulated: true }, 'could not start a simulated call');
    }
  }
}
