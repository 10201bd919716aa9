import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DashboardReads, type Stores } from '@mwva/voice-core';
import type { Registry } from 'prom-client';
import { resolveApiToken, type ResolvedToken } from './api-token';
import type { Env } from './config/env';
import { createApp, type PreviewMount } from './http/app';
import { Readiness } from './http/readiness';
import type { Logger } from './observability/logger';
import {
  createRegistry,
  registerBackupGauge,
  registerDeadLetterGauge,
  registerInboxGauge,
  registerStoreHealthGauge,
} from './observability/metrics';
import { openStoresFromEnv } from './stores';
import { beastModeOptions } from './voice/beast-mode-options';
import { createEmbedder } from './voice/embedder';
import { createVoiceRuntime, type RuntimeOptions, type VoiceRuntime } from './voice/runtime';

export interface RunningServer {
  url: string;
  registry: Registry;
  voice: VoiceRuntime;
  token: ResolvedToken;
  stores: Stores;
  readiness: Readiness;
  /** Graceful stop: readiness 503, wait SHUTDOWN_DELAY_MS, finish in-flight requests, close stores. */
  shutdown(reason: string): Promise<void>;
}

export type ServerOptions = Pick<
  RuntimeOptions,
  'trickle' | 'simulator' | 'onFinalized' | 'chooser' | 'finalizeSettleMs'
> & {
  /** The app's pages on a Grafana stand-in (development and simulation only). */
  preview?: PreviewMount;
};

export async function startServer(env: Env, logger: Logger, options: ServerOptions = {}): Promise<RunningServer> {
  if (options.preview && env.NODE_ENV === 'production') {
    throw new Error('the preview is for development: it is never served with NODE_ENV=production');
  }
  const registry = createRegistry();
  const token = resolveApiToken(env.API_TOKEN, env.DATA_DIR);
  const stores = await openStoresFromEnv(env, registry);
  registerStoreHealthGauge(registry, stores);
  registerBackupGauge(registry, () => stores.analytics.lastBackupSuccess());
  registerDeadLetterGauge(registry, async () => (await stores.analytics.deadLetters(0)).total);
  registerInboxGauge(registry, () => stores.analytics.unappliedEvents());
  const readiness = new Readiness(stores);
  const embedder = createEmbedder();
  const reads = new DashboardReads(stores, {
    capacity: env.CALL_CAPACITY,
    scalingThreshold: env.SCALING_THRESHOLD,
    beastMode: beastModeOptions(env),
    embedder,
  });
  // Complete before the routes are built; its background work starts once we listen.
  const runtime = await createVoiceRuntime({ env, stores, registry, logger, embedder, ...options });
  const app = createApp({
    logger,
    registry,
    readiness,
    apiToken: token.token,
    stores,
    reads,
    voice: runtime,
    preview: options.preview,
  });

  const server = app.listen(env.PORT, env.HOST);
  try {
    await once(server, 'listening');
  } catch (err) {
    await runtime.close(0).catch(() => undefined);
    await stores.close();
    throw listenError(err, env);
  }
  // Keep-alive above the load balancer's (nginx keepalive_timeout 60s) so Node never closes
  // an idle connection nginx is about to reuse.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  const { port } = server.address() as AddressInfo;
  const host = env.HOST === '0.0.0.0' || env.HOST === '::' ? '127.0.0.1' : env.HOST;
  const url = `http://${host}:${port}`;

  runtime.start(url);
  readiness.state = 'ready';

  let stopping: Promise<void> | null = null;
  const shutdown = (reason: string) => {
    stopping ??= drainAndClose({ server, stores, voice: runtime, readiness, env, logger, reason });
    return stopping;
  };
  return { url, registry, voice: runtime, token, stores, readiness, shutdown };
}

async function drainAndClose(ctx: {
  server: Server;
  stores: Stores;
  voice: VoiceRuntime;
  readiness: Readiness;
  env: Env;
  logger: Logger;
  reason: string;
}): Promise<void> {
  const { server, stores, voice, readiness, env, logger, reason } = ctx;
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
  await voice.close(env.SHUTDOWN_TIMEOUT_MS);
  await stores.close();
  logger.info('shutdown complete');
}

/** A port already taken is a one-line, actionable error (on macOS, AirPlay Receiver holds 5000). */
function listenError(err: unknown, env: Env): Error {
  if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') return err as Error;
  return new Error(`port ${env.PORT} on ${env.HOST} is already in use: stop what holds it, or set PORT to a free port`);
}
