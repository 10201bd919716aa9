import express, { Router } from 'express';
import { isDataError, StoreError, WebhookRejected } from '@mwva/voice-core';
import type { Logger } from '../observability/logger';
import type { VoiceRuntime } from '../voice/runtime';

/** Telnyx's bodies are a few kilobytes; anything far larger is not a Call Control event. */
export const WEBHOOK_BODY_LIMIT = '64kb';

const STATUS_BY_REASON: Record<WebhookRejected['reason'], number> = {
  missing_signature: 401,
  missing_timestamp: 401,
  stale_timestamp: 401,
  bad_timestamp: 401,
  bad_signature: 401,
  malformed_body: 400,
  invalid_event: 422,
};

/**
 * POST /telnyx/webhooks: the raw body is verified (Ed25519 over "timestamp|body"), stored once
 * per event id, and acknowledged; applying it to the call happens right after, off this path.
 */
export function telnyxWebhookRouter(deps: { voice: VoiceRuntime; logger: Logger }): Router {
  const router = Router();
  router.post('/telnyx/webhooks', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const receivedAt = performance.now();
    const { voice } = deps;
    const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { metrics } = voice;
    let verified;
    try {
      verified = voice.verifier.verify(body, req.headers);
    } catch (err) {
      if (!(err instanceof WebhookRejected)) throw err;
      metrics.webhookRejected.inc({ reason: err.reason });
      res
        .status(STATUS_BY_REASON[err.reason])
        .json({ error: err.message, reason: err.reason, ...(err.field ? { field: err.field } : {}) });
      return;
    }
    const { id, eventType } = verified.webhook;
    const end = metrics.webhookDuration.startTimer({ event_type: eventType });
    try {
      const result = await voice.engine.ingest(verified, receivedAt);
      res.status(200).json({ status: result, id });
    } catch (err) {
      if (isDataError(err)) {
        // The store refused this event's content (nothing else was affected): a retry would too.
        metrics.webhookRejected.inc({ reason: 'invalid_event' });
        deps.logger.warn({ err, eventId: id }, 'webhook content cannot be stored');
        res
          .status(422)
          .json({ error: 'event content cannot be stored', reason: 'invalid_event', field: 'data.payload' });
        return;
      }
      // Not stored, so not acknowledged: Telnyx will deliver it again.
      deps.logger.error({ err, eventId: id }, 'webhook could not be stored');
      const store = err instanceof StoreError ? err.store : undefined;
      res.status(503).json({ error: 'event could not be stored; retry', store });
    } finally {
      end();
    }
  });
  return router;
}
