import { Router } from 'express';
import { z } from 'zod';
import {
  BEAST_MODE_SKILLS,
  CALL_DIRECTIONS,
  CALL_OUTCOMES,
  dashboardTime,
  MAX_RANGE_MS,
  querySchema,
  queryRequestSchema,
  VARIABLE_NAMES,
  type HealthResponse,
  type QueryResponse,
  type QueryResult,
  type VariableName,
  type VariableValue,
} from '@mwva/contract';
import { bucketGrid, type DashboardReads, type Stores, type TimeRange } from '@mwva/voice-core';
import type { Logger } from '../observability/logger';
import { KINDS, type KindContext } from './kinds';

/**
 * /api/grafana: what the app's data source calls through Grafana's data-source proxy. A request
 * goes through the contract (validation) to a dashboard read and comes back as data frames;
 * each query in a request succeeds or fails on its own (per refId).
 */
export function grafanaRouter(deps: { stores: Stores; reads: DashboardReads; logger: Logger }): Router {
  const router = Router();

  router.get('/grafana/health', async (_req, res) => {
    const stores = await deps.stores.health();
    const down = stores.filter((s) => !s.ok);
    const body: HealthResponse =
      down.length === 0
        ? { status: 'ok', message: `Connected: ${stores.map((s) => `${s.store} (${s.kind})`).join(', ')}`, stores }
        : {
            status: 'error',
            message: `Not answering: ${down.map((s) => `${s.store} (${s.error ?? 'down'})`).join(', ')}`,
            stores,
          };
    res.status(down.length === 0 ? 200 : 503).json(body);
  });

  router.post('/grafana/query', async (req, res) => {
    const parsed = queryRequestSchema.safeParse(req.body ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.status(400).json({ error: `invalid query request: ${issue?.path.join('.') || 'body'}: ${issue?.message}` });
      return;
    }
    const { range: requested, intervalMs, maxDataPoints, queries } = parsed.data;
    const fromMs = Date.parse(requested.from);
    const toMs = Date.parse(requested.to);
    if (!(toMs > fromMs) || toMs - fromMs > MAX_RANGE_MS) {
      res.status(400).json({ error: 'invalid query request: range must have from < to and span at most 400 days' });
      return;
    }
    const range = { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
    const grid = bucketGrid(range, { intervalMs, maxDataPoints });
    const results: QueryResponse['results'] = {};
    await Promise.all(
      queries.map(async (raw, index) => {
        const refId = refIdOf(raw, index);
        results[refId] = await runOne(raw, { refId, range, grid, reads: deps.reads });
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
    res.json(await variableValues(name, deps.reads, window.data));
  });

  async function runOne(raw: unknown, ctx: KindContext): Promise<QueryResult> {
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
      const translate = KINDS[parsed.data.kind] as (
        q: typeof parsed.data,
        c: KindContext,
      ) => ReturnType<(typeof KINDS)['capacity']>;
      return { frames: await translate(parsed.data, ctx) };
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

async function variableValues(name: VariableName, reads: DashboardReads, window: TimeRange): Promise<VariableValue[]> {
  const plain = (values: readonly string[]) => values.map((v) => ({ text: v, value: v }));
  switch (name) {
    case 'directions':
      return plain(CALL_DIRECTIONS);
    case 'outcomes':
      return plain(CALL_OUTCOMES);
    case 'skills':
      return plain(BEAST_MODE_SKILLS);
    case 'objections':
      return (await reads.objections()).map((o) => ({ text: o.label, value: o.id }));
    case 'personas':
      return plain(await reads.distinctValues('persona', window, 100));
    case 'campaigns':
      return plain(await reads.distinctValues('campaign', window, 100));
  }
}
