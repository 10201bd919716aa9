import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { HEALTH_PROBE_TIMEOUT_MS, type Stores } from '@mwva/voice-core';

export interface HttpMetrics {
  requestDuration: Histogram<'method' | 'route' | 'status'>;
}

/** A registry per server instance (tests run several), with Node's default metrics. */
export function createRegistry(): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service: 'voice-agent-api' });
  collectDefaultMetrics({ register: registry });
  return registry;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requestDuration: new Histogram({
      name: 'voice_http_request_duration_seconds',
      help: 'HTTP request latency by method, matched route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5],
      registers: [registry],
    }),
  };
}

/** voice_store_up{store,kind}: 1 when the store answered its health probe at scrape time. */
export function registerStoreHealthGauge(registry: Registry, stores: Stores): void {
  new Gauge({
    name: 'voice_store_up',
    help: `Whether each store answers its health probe (1) or not (0) within ${HEALTH_PROBE_TIMEOUT_MS / 1000} s, probed at scrape time`,
    labelNames: ['store', 'kind'],
    registers: [registry],
    async collect() {
      for (const h of await stores.health()) this.set({ store: h.store, kind: h.kind }, h.ok ? 1 : 0);
    },
  });
}

/**
 * voice_backup_last_success_timestamp_seconds: when the newest successful `voice-agent backup`
 * finished, read at scrape time (e.g. `backup.lastBackupSuccess` over the Postgres primary,
 * which reads the `backup_runs` rows the backup command writes). No sample until a backup ran,
 * so the "backup too old" alert should also fire on `absent()`.
 */
export function registerBackupGauge(registry: Registry, readLastSuccess: () => Promise<number | null>): void {
  new Gauge({
    name: 'voice_backup_last_success_timestamp_seconds',
    help: 'Unix time the last successful backup of the stores finished (from backup_runs), read at scrape time',
    registers: [registry],
    async collect() {
      const t = await readLastSuccess().catch(() => null);
      if (t === null) this.reset();
      else this.set(t);
    },
  });
}

/**
 * voice_inbox_unapplied_events: acknowledged webhooks not applied yet, read at scrape time. A few
 * are normal (events waiting for the one they depend on); a backlog that grows means events are
 * acknowledged faster than they are applied, or a replica died with work in hand.
 */
export function registerInboxGauge(registry: Registry, countUnapplied: () => Promise<number>): void {
  new Gauge({
    name: 'voice_inbox_unapplied_events',
    help: 'Acknowledged webhook events not applied yet (dead letters excluded), read at scrape time',
    registers: [registry],
    async collect() {
      const n = await countUnapplied().catch(() => null);
      if (n === null) this.reset();
      else this.set(n);
    },
  });
}

/**
 * voice_dead_letter_events: events set aside after every attempt to apply them failed, read at
 * scrape time. Each one is a call whose record may be incomplete until ops re-drive it
 * (`voice-agent dead-letters redrive`), so the alert fires on growth.
 */
export function registerDeadLetterGauge(registry: Registry, countDeadLetters: () => Promise<number>): void {
  new Gauge({
    name: 'voice_dead_letter_events',
    help: 'Webhook events that could not be applied after every attempt (dead letters), read at scrape time',
    registers: [registry],
    async collect() {
      const n = await countDeadLetters().catch(() => null);
      if (n === null) this.reset();
      else this.set(n);
    },
  });
}
