import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The voice_ metrics of calls, webhooks and carrier commands (names follow Prometheus conventions). */
export interface CallMetrics {
  callsTotal: Counter<'direction' | 'outcome'>;
  webhookDuration: Histogram<'event_type'>;
  webhookRejected: Counter<'reason'>;
  webhookDuplicates: Counter<string>;
  eventsApplied: Counter<'event_type' | 'result'>;
  repliesSkipped: Counter<'reason'>;
  commandDuration: Histogram<'command'>;
  commandErrors: Counter<'command' | 'status'>;
  callSetup: Histogram<string>;
  turnLatency: Histogram<string>;
  dialQueueWait: Histogram<string>;
}

const FAST_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5];

export function createCallMetrics(
  registry: Registry,
  live: { activeCalls: () => Promise<number>; capacity: number },
): CallMetrics {
  const registers = [registry];
  new Gauge({
    name: 'voice_calls_active',
    help: 'Calls in progress (shared across replicas through the call-state store)',
    registers,
    async collect() {
      this.set(await live.activeCalls().catch(() => Number.NaN));
    },
  });
  new Gauge({
    name: 'voice_capacity_utilization',
    help: 'Active calls divided by CALL_CAPACITY (0–1)',
    registers,
    async collect() {
      this.set((await live.activeCalls().catch(() => Number.NaN)) / live.capacity);
    },
  });
  return {
    callsTotal: new Counter({
      name: 'voice_calls_total',
      help: 'Finished calls by direction and outcome (counted once per call)',
      labelNames: ['direction', 'outcome'],
      registers,
    }),
    webhookDuration: new Histogram({
      name: 'voice_webhook_duration_seconds',
      help: 'Telnyx webhook handling until acknowledgement (verify, de-duplicate, persist)',
      labelNames: ['event_type'],
      buckets: FAST_BUCKETS,
      registers,
    }),
    webhookRejected: new Counter({
      name: 'voice_webhook_rejected_total',
      help: 'Webhooks refused with a 4xx, by reason',
      labelNames: ['reason'],
      registers,
    }),
    webhookDuplicates: new Counter({
      name: 'voice_webhook_duplicates_total',
      help: 'Webhooks acknowledged but not applied again (same data.id)',
      registers,
    }),
    eventsApplied: new Counter({
      name: 'voice_events_applied_total',
      help: 'Call events applied to the call state machine, by type and result',
      labelNames: ['event_type', 'result'],
      registers,
    }),
    repliesSkipped: new Counter({
      name: 'voice_replies_skipped_total',
      help: 'Replies not spoken because their turn was too old (late: past the reply deadline; recovered: re-applied by the sweep)',
      labelNames: ['reason'],
      registers,
    }),
    commandDuration: new Histogram({
      name: 'voice_command_duration_seconds',
      help: 'Call Control command round trip to the carrier, including SDK retries',
      labelNames: ['command'],
      buckets: FAST_BUCKETS,
      registers,
    }),
    commandErrors: new Counter({
      name: 'voice_command_errors_total',
      help: 'Call Control commands that failed, by command and HTTP status (0 = no response)',
      labelNames: ['command', 'status'],
      registers,
    }),
    callSetup: new Histogram({
      name: 'voice_call_setup_seconds',
      help: 'Outbound call initiation: API accepted the call → carrier accepted the dial',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers,
    }),
    turnLatency: new Histogram({
      name: 'voice_turn_latency_seconds',
      help: "Prospect's final transcript received → our response command sent",
      buckets: FAST_BUCKETS,
      registers,
    }),
    dialQueueWait: new Histogram({
      name: 'voice_dial_queue_wait_seconds',
      help: 'Time an outbound call waited in the dial queue (rate limit, capacity)',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers,
    }),
  };
}
