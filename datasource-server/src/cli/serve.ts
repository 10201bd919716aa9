import { ConfigError, loadEnv } from '../config/env';
import { createLogger } from '../observability/logger';
import type { PreviewMount } from '../http/app';
import { startServer } from '../server';

/**
 * `voice-agent serve`: start the API and stop it gracefully on SIGTERM/SIGINT. `npm start` adds the
 * preview (e2e/host/server/preview.ts); production runs it without.
 */
export async function serve(overrides: { port?: string }, options: { preview?: PreviewMount } = {}): Promise<void> {
  let env;
  try {
    env = loadEnv({ ...process.env, ...(overrides.port ? { PORT: overrides.port } : {}) });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`voice-agent: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }

  const logger = createLogger(env.LOG_LEVEL);
  // A programming error still ends the process (the orchestrator restarts it), but never
  // silently: the cause goes to the log first, synchronously.
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    process.once(event, (err: unknown) => {
      logger.fatal({ err }, `${event}; exiting`);
      logger.flush();
      process.exit(1);
    });
  }
  const running = await startServer(env, logger, { preview: options.preview });
  const storeKinds = Object.fromEntries((await running.stores.health()).map((h) => [h.store, h.kind]));
  logger.info({ url: running.url, stores: storeKinds, tokenSource: running.token.source }, 'voice-agent-api listening');
  if (running.token.source !== 'environment' || options.preview) {
    // Printed for the person who just ran `npm start`; production sets API_TOKEN and never gets here.
    process.stdout.write(
      [
        '',
        ...(options.preview
          ? [
              `  Preview of the Magnificent Worldwide app  ${running.url}/`,
              `    (a Grafana stand-in for development, not Grafana; ${running.voice.carrier ? 'simulated calls' : 'live calls'})`,
            ]
          : []),
        `  Magnificent Worldwide Voice Agent API  ${running.url}`,
        `  health   ${running.url}/healthz   ready ${running.url}/readyz   metrics ${running.url}/metrics`,
        `  API token (kept in ${env.DATA_DIR}/api-token): ${running.token.token}`,
        `  try: curl -H "Authorization: Bearer ${running.token.token}" ${running.url}/readyz`,
        '',
      ].join('\n') + '\n',
    );
  }

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      // Each step of the drain is bounded; this bounds them together (a store that never
      // answers its close must not keep the process past the orchestrator's grace period).
      const hardDeadlineMs = env.SHUTDOWN_DELAY_MS + 2 * env.SHUTDOWN_TIMEOUT_MS + 5_000;
      setTimeout(() => {
        logger.error({ hardDeadlineMs }, 'shutdown did not finish in time; exiting');
        logger.flush();
        process.exit(1);
      }, hardDeadlineMs).unref();
      running.shutdown(signal).then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    });
  }
}
