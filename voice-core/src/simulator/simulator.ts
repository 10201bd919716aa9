import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { Rng } from '../util/rng';
import { ApiCounters, statsSnapshot } from './api-counters';
import { CallEvents } from './call-events';
import { CallRegistry } from './call-registry';
import { CallScripts } from './call-scripts';
import { CarrierApi } from './carrier-api';
import { SimClock } from './clock';
import { WebhookDispatcher } from './delivery';
import { IdleWatch } from './idle';
import { E164 } from './request-parsing';
import type { CarrierSimulator, CarrierSimulatorOptions } from './types';

function rawPublicKeyBase64(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') {
    throw new Error('signingKey must be an Ed25519 private key');
  }
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A seeded +1555 number for the n-th inbound call that names no caller. */
function inboundCaller(seed: number, n: number): string {
  const subscriber = 2_000_000 + Math.floor(new Rng('inbound-from', seed, n).next() * 7_999_999);
  return `+1555${String(subscriber).padStart(7, '0')}`;
}

/**
 * Starts the carrier: its HTTP API (carrier-api.ts), the calls it carries (simulated-call.ts)
 * with their prospects' scripts (call-scripts.ts), and their webhooks (call-events.ts, delivered
 * by delivery.ts), all on one simulated clock (clock.ts).
 */
export async function createCarrierSimulator(options: CarrierSimulatorOptions): Promise<CarrierSimulator> {
  const clock = new SimClock(options.timeScale ?? 1);
  const seed = options.seed;
  const signingKey = options.signingKey ?? generateKeyPairSync('ed25519').privateKey;
  const publicKeyBase64 = rawPublicKeyBase64(signingKey);
  const faults = options.faults ?? {};
  const dialRatePerSecond = options.dialRatePerSecond ?? 30;
  /** Where webhooks go by default; the server under test may learn its own URL only after the carrier starts. */
  let defaultWebhookUrl = options.webhookUrl;

  const dispatcher = new WebhookDispatcher({
    signingKey,
    timeoutMs: options.webhookTimeoutMs ?? 2_000,
    maxAttempts: Math.max(1, options.maxWebhookAttempts ?? 3),
    duplicateRate: faults.duplicateRate ?? 0,
    reorderRate: faults.reorderRate ?? 0,
    maxExtraDelayMs: faults.maxExtraDelayMs ?? 0,
    scale: (simMs) => clock.toRealMs(simMs),
  });
  const events = new CallEvents({
    connectionId: options.connectionId,
    clock,
    delivery: dispatcher,
    payloads: {
      nullConfidenceRate: options.payloads?.nullConfidenceRate ?? 0.05,
      callCostWebhooks: options.payloads?.callCostWebhooks ?? true,
      costErrorRate: options.payloads?.costErrorRate ?? 0.02,
    },
    shapes: new Rng('payload-shapes', seed),
  });
  const calls = new CallRegistry({ seed, clock, events, dispatcher });
  const scripts = new CallScripts(seed, events);
  const counters = new ApiCounters();
  const idle = new IdleWatch(calls, dispatcher);
  const api = new CarrierApi({
    apiKey: options.apiKey,
    connectionId: options.connectionId,
    seed,
    dialRatePerSecond,
    dialBurst: options.dialBurst ?? dialRatePerSecond,
    commandErrorRate: faults.commandErrorRate ?? 0,
    defaultWebhookUrl: () => defaultWebhookUrl,
    isClosed: () => clock.closed,
    calls,
    events,
    scripts,
    counters,
  });
  const url = await api.listen(options.host ?? '127.0.0.1', options.port ?? 0);
  let inboundCount = 0;

  return {
    url,
    publicKeyBase64,

    async placeInboundCall(opts = {}) {
      if (clock.closed) throw new Error('simulator is closed');
      inboundCount++;
      const from = opts.from ?? inboundCaller(seed, inboundCount);
      const to = opts.to ?? '+18005550100';
      if (!E164.test(from) || !E164.test(to)) throw new Error('placeInboundCall: from/to must be E.164');
      const call = calls.open('inbound', from, to, defaultWebhookUrl);
      events.initiated(call);
      scripts.start(call);
      return { callControlId: call.id };
    },

    waitForIdle: (timeoutMs: number) => idle.wait(timeoutMs),

    stats: () => statsSnapshot(calls.all(), dispatcher, counters),

    setWebhookUrl(webhookUrl: string) {
      defaultWebhookUrl = webhookUrl;
    },

    calls: () => calls.all().map((c) => structuredClone(c.record)),

    async close() {
      if (clock.closed) return;
      clock.close();
      idle.stop();
      await dispatcher.close();
      await api.close();
    },
  };
}
