import { Router } from 'express';
import { z } from 'zod';
import {
  BEAST_MODE_SKILLS,
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  HashedNgramEmbedder,
  type Stores,
  type TimeRange,
} from '@mwva/voice-core';
import type { Env } from '../config/env';
import type { Logger } from '../observability/logger';
import type { VoiceRuntime } from '../voice/runtime';
import { HANDLERS, type QueryContext } from './queries';
import {
  queryRequestSchema,
  querySchema,
  VARIABLE_NAMES,
  type QueryResponse,
  type QueryResult,
  type VariableName,
  dashboardTime,
} from './query-model';

/** Bounds of a dashboard query's time range (a year of per-minute rollups at most). */
const MAX_RANGE_MS = 400 * 86_400_000;

/** Bucket widths a series may have (as Grafana rounds intervals); longer ones are whole days. */
const BUCKET_STEPS_SECONDS = [60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];

/**
 * The bucket width for a wanted minimum: the next step up, so that a width of an hour or more is
 * whole hours (or days) and the series can read the hourly and daily rollups.
 */
export function bucketSecondsFor(minimumSeconds: number): number {
  const step = BUCKET_STEPS_SECONDS.find((s) => s >= minimumSeconds);
  return step ?? Math.ceil(minimumSeconds / 86_400) * 86_400;
}

/**
 * /api/grafana: what the app's data source calls through Grafana's data-source proxy.
 * Each query in a request succeeds or fails on its own (per refId).
 */
export function grafanaRouter(deps: {
  stores: Stores;
  voice: () => VoiceRuntime | null;
  env: Env;
  logger: Logger;
}): Router {
  const router = Router();
  const embedder = new HashedNgramEmbedder();

  router.get('/grafana/health', async (_req, res) => {
    const stores = await deps.stores.health();
    const down = stores.filter((s) => !s.ok);
    if (down.length === 0) {
      res.json({
        status: 'ok',
        message: `Connected: ${stores.map((s) => `${s.store} (${s.kind})`).join(', ')}`,
        stores,
      });
      return;
    }
    res.status(503).json({
      status: 'error',
      message: `Not answering: ${down.map((s) => `${s.store} (${s.error ?? 'down'})`).join(', ')}`,
      stores,
    });
  });

  router.post('/grafana/query', async (req, res) => {
    const voice = deps.voice();
    if (!voice) {
      res.status(503).json({ error: 'starting; retry' });
      return;
    }
    const parsed = queryRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: `invalid query request: ${issue?.path.join('.') || 'body'}: ${issue?.message}` });
      return;
    }
    const { range, intervalMs, maxDataPoints, queries } = parsed.data;
    const fromMs = Date.parse(range.from);
    const toMs = Date.parse(range.to);
    if (!(toMs > fromMs) || toMs - fromMs > MAX_RANGE_MS) {
      res.status(400).json({ error: 'invalid query request: range must have from < to and span at most 400 days' });
      return;
    }
    // Time series never exceed maxDataPoints, and never go below the per-minute rollups.
    const bucketSeconds = bucketSecondsFor(Math.max(intervalMs / 1000, (toMs - fromMs) / 1000 / maxDataPoints));
    const results: QueryResponse['results'] = {};
    await Promise.all(
      queries.map(async (raw, index) => {
        const refId = refIdOf(raw, index);
        results[refId] = await runOne(raw, {
          refId,
          from: new Date(fromMs).toISOString(),
          to: new Date(toMs).toISOString(),
          bucketSeconds,
          stores: deps.stores,
          voice,
          embedder,
          capacity: deps.env.CALL_CAPACITY,
          scalingThreshold: deps.env.SCALING_THRESHOLD,
          expertBar: deps.env.BEAST_MODE_BAR,
        });
      }),
    );
    res.json({ results } satisfies QueryResponse);
  });

  router.get('/grafana/variables/:name', async (req, res) => {
    const name = req.params.name as VariableName;
    if (!VARIABLE_NAMES.includes(name)) {
      res.status(404).json({ error: `no variable "${req.params.name}"; known: ${VARIABLE_NAMES.join(', ')}` });
      return;
    }
    const window = variableRange.safeParse(req.query);
    if (!window.success) {
      const issue = window.error.issues[0];
      const field = issue?.path.join('.') || 'query';
      res.status(400).json({ error: `invalid ${field}: ${issue?.message}`, fields: { [field]: issue?.message } });
      return;
    }
    res.json(await variableValues(name, deps.stores, window.data));
  });

  async function runOne(raw: unknown, ctx: QueryContext): Promise<QueryResult> {
    const parsed = querySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        frames: [],
        status: 400,
        error: `invalid query: ${issue?.path.join('.') || 'query'}: ${issue?.message}`,
      };
    }
    if (parsed.data.hide) return { frames: [] };
    try {
      const handler = HANDLERS[parsed.data.kind] as (
        q: typeof parsed.data,
        c: QueryContext,
      ) => ReturnType<(typeof HANDLERS)['capacity']>;
      return { frames: await handler(parsed.data, ctx) };
    } catch (err) {
      deps.logger.warn({ err, refId: ctx.refId, kind: parsed.data.kind }, 'grafana query failed');
      return { frames: [], status: 500, error: err instanceof Error ? err.message : String(err) };
    }
  }

  return router;
}

function refIdOf(raw: unknown, index: number): string {
  const refId = (raw as { refId?: unknown } | null)?.refId;
  return typeof refId === 'string' && refId.length > 0 && refId.length <= 64 ? refId : `query-${index}`;
}

/** A variable's values come from the dashboard's time range (Grafana sends it), else the last 90 days. */
const variableRange = z.object({
  from: dashboardTime.default(() => new Date(Date.now() - 90 * 86_400_000).toISOString()),
  to: dashboardTime.default(() => new Date(Date.now() + 60_000).toISOString()),
});

async function variableValues(
  name: VariableName,
  stores: Stores,
  window: TimeRange,
): Promise<{ text: string; value: string }[]> {
  const plain = (values: readonly string[]) => values.map((v) => ({ text: v, value: v }));
  switch (name) {
    case 'directions':
      return plain(CALL_DIRECTIONS);
    case 'outcomes':
      return plain(CALL_OUTCOMES);
    case 'skills':
      return plain(BEAST_MODE_SKILLS);
    case 'objections':
      return (await stores.graph.snapshot()).objections
        .filter((o) => o.id !== 'opening' && o.id !== 'discovery')
        .map((o) => ({ text: o.label, value: o.id }));
    case 'personas':
      return plain(await stores.analytics.distinctValues('persona', window, 100));
    case 'campaigns':
      return plain(await stores.analytics.distinctValues('campaign', window, 100));
  }
}
