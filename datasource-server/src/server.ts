import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Stores } from '@mwva/voice-core';
import { resolveApiToken, type ResolvedToken } from './api-token';
import type { Env } from './config/env';
import { createApp } from './http/app';
import { Readiness } from './http/readiness';
import type { Logger } from './observability/logger';
import { createRegistry } from './observability/metrics';
import { openStoresFromEnv } from './stores';

export interface RunningServer {
  url: string;
  token: ResolvedToken;
  stores: Stores;
  readiness: Readiness;
  /** Graceful stop: readiness 503, wait SHUTDOWN_DELAY_MS, finish in-flight requests, close stores. */
  shutdown(reason: string): Promise<void>;
}

export async function startServer(env: Env, logger: Logger): Promise<RunningServer> {
  const registry = createRegistry();
  const token = resolveApiToken(env.API_TOKEN, env.DATA_DIR);
  const stores = await openStoresFromEnv(env, registry);
  const readiness = new Readiness(stores);
  const app = createApp({ logger, registry, readiness, apiToken: token.token });

  const server = app.listen(env.PORT, env.HOST);
  await once(server, 'listening');
  // Keep-alive above the load balancer's (nginx keepalive_timeout 60s) so Node never closes
  // an idle connection nginx is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  readiness.state = 'ready';

  const { port } = server.address() as AddressInfo;
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const url = `http://${host}:${port}`;

  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string) => {
    stopping ??= drainAndClose({ server, stores, readiness, env, logger, reason });
    return stopping;
  };
  return { url, token, stores, readiness, shutdown };
}

async function drainAndClose(ctx: {
  server: Server;
  stores: Stores;
  readiness: Readiness;
  env: Env;
  logger: Logger;
  reason: string;
}): Promise<void> {
  const { server, stores, readiness, env, logger, reason } = ctx;
  logger.info({ reason, delayMs: env.SHUTDOWN_DELAY_MS }, 'shutting down: readiness now 503');
  readiness.state = 'draining';
  if (env.SHUTDOWN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, env.SHUTDOWN_DELAY_MS));

  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timedOut = await Promise.race([
    closed.then(() => false),
    new Promise<boolean>((r) => setTimeout(() => r(true), env.SHUTDOWN_TIMEOUT_MS).unref()),
  ]);
  if (timedOut) {
    logger.warn({ timeoutMs: env.SHUTDOWN_TIMEOUT_MS }, 'in-flight requests did not finish in time; closing them');
    server.closeAllConnections();
  }
  await stores.close();
  logger.info('shutdown complete');
}
