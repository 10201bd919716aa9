import { Router } from 'express';
import { z } from 'zod';
import type { Stores } from '@mwva/voice-core';
import { E164 } from '../config/env';
import type { VoiceRuntime } from '../voice/runtime';

/** A label shown on dashboards: printable text only (a NUL cannot even be stored in Postgres). */
const label = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .refine((v) => ![...v].some(isControl), 'control characters are not allowed');

function isControl(ch: string): boolean {
  const code = ch.charCodeAt(0);
  return code < 0x20 || code === 0x7f;
}

export const dialRequestSchema = z.object({
  to: z.string().regex(E164, 'expected an E.164 number like +15551234567'),
  from: z.string().regex(E164, 'expected an E.164 number like +15551234567').optional(),
  persona: label.optional(),
  campaign: label.optional(),
});
export type DialRequestBody = z.infer<typeof dialRequestSchema>;

export const outcomeRequestSchema = z.object({
  outcome: z.enum(['converted', 'not_converted']),
});

const callIdSchema = z.string().uuid();

function fieldErrors(error: z.ZodError): Record<string, string> {
  return Object.fromEntries(error.issues.map((i) => [i.path.join('.') || 'body', i.message]));
}

/** /api/calls: queue an outbound call, read a call, record its CRM outcome. */
export function callsRouter(deps: { voice: VoiceRuntime; stores: Stores }): Router {
  const router = Router();

  router.post('/calls', async (req, res) => {
    const { voice } = deps;
    const parsed = dialRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid call request', fields: fieldErrors(parsed.error) });
      return;
    }
    const from = parsed.data.from ?? voice.defaultFrom;
    if (!from) {
      res
        .status(400)
        .json({ error: 'invalid call request', fields: { from: 'required (no TELNYX_FROM_NUMBER is set)' } });
      return;
    }
    const call = await voice.dialer.enqueue({
      to: parsed.data.to,
      from,
      persona: parsed.data.persona ?? null,
      campaign: parsed.data.campaign ?? null,
    });
    res.status(202).location(`/api/calls/${call.id}`).json({ id: call.id, status: call.status });
  });

  router.get('/calls/:id', async (req, res) => {
    if (!callIdSchema.safeParse(req.params.id).success) {
      res.status(400).json({ error: 'invalid call id', fields: { id: 'expected a UUID' } });
      return;
    }
    const call = await deps.stores.calls.getCall(req.params.id);
    if (!call) {
      res.status(404).json({ error: `no call ${req.params.id}` });
      return;
    }
    res.json(call);
  });

  router.post('/calls/:id/outcome', async (req, res) => {
    const { voice } = deps;
    if (!callIdSchema.safeParse(req.params.id).success) {
      res.status(400).json({ error: 'invalid call id', fields: { id: 'expected a UUID' } });
      return;
    }
    const parsed = outcomeRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid outcome', fields: fieldErrors(parsed.error) });
      return;
    }
    const result = await voice.engine.recordOutcome(req.params.id, parsed.data.outcome);
    if (result === 'not_found') {
      res.status(404).json({ error: `no call ${req.params.id}` });
      return;
    }
    if (result === 'conflict') {
      const call = await deps.stores.calls.getCall(req.params.id);
      res.status(409).json({ error: `call was already counted with outcome ${call?.outcome}`, outcome: call?.outcome });
      return;
    }
    res.json({ id: req.params.id, outcome: parsed.data.outcome, result });
  });

  return router;
}
