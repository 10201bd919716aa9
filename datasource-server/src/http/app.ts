import type { RequestListener } from 'node:http';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import type { Registry } from 'prom-client';
import { pinoHttp } from 'pino-http';
import type { DashboardReads, Stores } from '@mwva/voice-core';
import type { Logger } from '../observability/logger';
import type { VoiceRuntime } from '../voice/runtime';
import { grafanaRouter } from '../grafana/router';
import { callsRouter } from './calls-api';
import { telnyxWebhookRouter } from './telnyx-webhooks';
import { createHttpMetrics } from '../observability/metrics';
import { requireBearerToken } from './auth';
import type { Readiness } from './readiness';

export interface AppDeps {
  logger: Logger;
  registry: Registry;
  readiness: Readiness;
  apiToken: string;
  stores: Stores;
  /** Dashboard reads: they need the stores only. */
  reads: DashboardReads;
  /** Call handling: webhooks, the call API. */
  voice: VoiceRuntime;
  /** Development only: the app's pages on a Grafana stand-in, beside the API. */
  preview?: PreviewMount;
}

/**
 * The preview (e2e/host/server/preview.ts, `npm start`): a Grafana stand-in that serves the app
 * under `basePath` and forwards its data-source requests back to this server's API, so a newcomer
 * sees the dashboards without a Grafana. Never in production (startServer refuses it).
 */
export interface PreviewMount {
  /** Grafana's sub path, e.g. /grafana: everything below it is the stand-in's. */
  basePath: string;
  /** Where a browser that opens / is sent: the app's home page. */
  home: string;
  handler: RequestListener;
}

/** The answer of `GET /`: every endpoint, and what it needs. */
export const ENDPOINT_INDEX = {
  name: 'voice-agent-api',
  description: 'Magnificent Worldwide Voice Agent: Telnyx webhooks, the call API and the Grafana data source',
  endpoints: {
    'GET /healthz': 'liveness',
    'GET /readyz': 'readiness (503 while a store is down or while shutting down)',
    'GET /metrics': 'Prometheus metrics',
    'POST /telnyx/webhooks': 'Telnyx Call Control webhooks (Ed25519-signed)',
    'POST /api/calls': 'place an outbound call (Bearer API token)',
    'GET /api/calls/:id': 'a call, its events and transcript (Bearer API token)',
    'POST /api/calls/:id/outcome': 'record the outcome of a call (Bearer API token)',
    'GET /api/grafana/health': "the Grafana data source's health check (Bearer API token)",
    'POST /api/grafana/query': 'dashboard queries (Bearer API token)',
    'GET /api/grafana/variables/:name': 'dashboard variable values (Bearer API token)',
  },
  docs: 'README.md of the repository',
} as const;

const QUIET_PATHS = new Set(['/healthz', '/readyz', '/metrics', '/telnyx/webhooks']);

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback, uniquelocal');
  // Before helmet: the stand-in page sets its own headers, as Grafana does (its scripts are inline).
  if (deps.preview) app.use(previewRoutes(deps.preview));
  app.use(helmet());

  const { requestDuration } = createHttpMetrics(deps.registry);
  app.use((req, res, next) => {
    const end = requestDuration.startTimer({ method: req.method });
    res.on('finish', () => end({ route: routeLabel(req.route?.path, req.baseUrl), status: String(res.statusCode) }));
    next();
  });
  app.use(pinoHttp({ logger: deps.logger, autoLogging: { ignore: (req) => QUIET_PATHS.has(req.url ?? '') } }));

  // What a newcomer who opens the server's address sees: where everything is (no data, no auth).
  app.get('/', (_req, res) => {
    res.json(ENDPOINT_INDEX);
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    try {
      const report = await deps.readiness.report();
      res.status(report.status === 'ready' ? 200 : 503).json(report);
    } catch (err) {
      res.status(503).json({ status: 'not_ready', error: (err as Error).message, stores: [] });
    }
  });

  app.get('/metrics', async (_req, res) => {
    res.type(deps.registry.contentType).send(await deps.registry.metrics());
  });

  app.use(telnyxWebhookRouter({ voice: deps.voice, logger: deps.logger }));

  const api = express.Router();
  api.use(failedAuthLimit());
  api.use(requireBearerToken(deps.apiToken));
  api.use(express.json({ limit: '1mb' }));
  api.use(callsRouter({ voice: deps.voice, stores: deps.stores }));
  api.use(grafanaRouter({ stores: deps.stores, reads: deps.reads, logger: deps.logger }));
  app.use('/api', api);

  app.use((req, res) => {
    res.status(404).json({ error: `no route for ${req.method} ${req.path}` });
  });
  app.use(errorHandler(deps.logger));
  return app;
}

/** Under basePath: the stand-in. A browser opening / goes to the app; API clients still get the index. */
function previewRoutes(preview: PreviewMount): RequestHandler {
  const base = preview.basePath.replace(/\/$/, '');
  return (req, res, next) => {
    if (req.path === base || req.path.startsWith(`${base}/`)) {
      preview.handler(req, res);
      return;
    }
    if (req.method === 'GET' && req.path === '/' && req.accepts(['json', 'html']) === 'html') {
      res.redirect(302, preview.home);
      return;
    }
    next();
  };
}

/**
 * Guessing the API token is slowed down: a client address that failed authentication
 * FAILED_AUTH_LIMIT times within a minute is refused (429) until the minute is over. Only 401s
 * count, so a dashboard that polls a missing call (404) is never locked out.
 */
export const FAILED_AUTH_LIMIT = 20;

function failedAuthLimit() {
  return rateLimit({
    windowMs: 60_000,
    limit: FAILED_AUTH_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    requestWasSuccessful: (_req, res) => res.statusCode !== 401,
    skipSuccessfulRequests: true,
    message: { error: 'too many failed authentication attempts; retry in a minute' },
  });
}

/** Route templates (not raw paths) keep metric label cardinality bounded. */
function routeLabel(routePath: unknown, baseUrl: string): string {
  return typeof routePath === 'string' ? `${baseUrl}${routePath}` : 'unmatched';
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err: { status?: number; statusCode?: number; type?: string; message?: string }, req, res, _next) => {
    const status = err.status ?? err.statusCode ?? 500;
    if (status >= 500) {
      logger.error({ err, path: req.path }, 'request failed');
      res.status(500).json({ error: 'internal error' });
      return;
    }
    // body-parser errors: malformed JSON, too large, wrong charset.
    res
      .status(status)
      .json({ error: err.type === 'entity.parse.failed' ? 'malformed JSON body' : (err.message ?? 'bad request') });
  };
}
