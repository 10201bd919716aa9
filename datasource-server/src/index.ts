export { loadEnv, envSchema, ConfigError, type Env } from './config/env';
export { createApp, type AppDeps } from './http/app';
export { startServer, type RunningServer } from './server';
export { createLogger } from './observability/logger';
export { createRegistry } from './observability/metrics';
export { createEmbedder } from './voice/embedder';
export { parseIntOption } from './cli/progress';
export { lineChart, niceTicks, type ChartSpec, type Series as ChartSeries } from './report/svg-chart';
