import { z } from 'zod';
import { parseTelnyxPublicKey, redactCredentials } from '@mwva/voice-core';

/**
 * Every setting comes from the environment, with the seed's variable names. Parsing fails with
 * one line per bad variable, naming it, so a typo never starts a half-configured service.
 */

const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const optionalUrl = (protocols: string[]) =>
  optionalString.refine(
    (v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `expected a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}` },
  );

const positiveInt = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .refine((n) => n > 0, 'expected a number above 0')
    .optional()
    .transform((v) => v ?? fallback);

const nonNegativeInt = (fallback: number) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, 'expected a whole number')
    .transform(Number)
    .optional()
    .transform((v) => v ?? fallback);

export const E164 = /^\+[1-9]\d{1,14}$/;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** 0 = any free port (tests, `voice-agent simulate`). */
    PORT: nonNegativeInt(5000).refine((p) => p < 65536, 'expected a port number below 65536'),
    HOST: z.string().trim().min(1).default('0.0.0.0'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    API_TOKEN: optionalString.refine((v) => v === undefined || v.length >= 16, 'expected at least 16 characters'),

    TELNYX_API_KEY: optionalString,
    TELNYX_PUBLIC_KEY: optionalString,
    TELNYX_BASE_URL: optionalUrl(['http', 'https']),
    /** The Call Control application (connection) our numbers and dials use. */
    TELNYX_CONNECTION_ID: optionalString,
    /** Caller id for outbound calls when the request names none. */
    TELNYX_FROM_NUMBER: optionalString.refine(
      (v) => v === undefined || E164.test(v),
      'expected an E.164 number like +15551234567',
    ),
    DIAL_RATE_PER_SECOND: positiveInt(30),
    ANSWERING_MACHINE_DETECTION: z
      .enum(['true', 'false'])
      .optional()
      .transform((v) => v !== 'false'),

    NEON_DATABASE_URL: optionalUrl(['postgres', 'postgresql']),
    NEON_READ_REPLICA_URL: optionalUrl(['postgres', 'postgresql']),
    MONGODB_URI: optionalUrl(['mongodb', 'mongodb+srv']),
    NEO4J_URI: optionalUrl(['bolt', 'neo4j', 'bolt+s', 'neo4j+s', 'bolt+ssc', 'neo4j+ssc']),
    NEO4J_USER: optionalString,
    NEO4J_PASSWORD: optionalString,
    CHROMA_HOST: optionalUrl(['http', 'https']),
    REDIS_URL: optionalUrl(['redis', 'rediss']),

    CALL_CAPACITY: positiveInt(1000),
    SCALING_THRESHOLD: positiveInt(80).refine((p) => p <= 100, 'expected a percentage from 1 to 100'),

    /** Beast Mode: overall score (0–100) that counts as expert, and the conversion rate that counts as expert closing. */
    BEAST_MODE_BAR: positiveInt(90).refine((p) => p <= 100, 'expected a score from 1 to 100'),
    BEAST_MODE_CONVERSION_TARGET: z
      .string()
      .trim()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a rate between 0 and 1, like 0.5')
      .transform(Number)
      .refine((n) => n > 0, 'expected a rate above 0')
      .optional()
      .transform((v) => v ?? 0.5),
    BEAST_MODE_INTERVAL_MS: positiveInt(60_000),

    /** Simulation mode (no TELNYX_API_KEY): simulated calls started per minute (0 = none). */
    SIMULATION_CALLS_PER_MINUTE: nonNegativeInt(4),
    SIMULATION_SEED: nonNegativeInt(0),

    /** After SIGTERM, how long /readyz reports 503 before the listener closes (lets load balancers drain). */
    SHUTDOWN_DELAY_MS: nonNegativeInt(0),
    /** Upper bound for in-flight requests and store closing after SIGTERM. */
    SHUTDOWN_TIMEOUT_MS: positiveInt(15_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.API_TOKEN) {
      ctx.addIssue({ code: 'custom', path: ['API_TOKEN'], message: 'required when NODE_ENV=production' });
    }
    if (env.TELNYX_API_KEY) {
      for (const name of ['TELNYX_PUBLIC_KEY', 'TELNYX_CONNECTION_ID'] as const) {
        if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'required when TELNYX_API_KEY is set' });
      }
    }
    if (env.TELNYX_PUBLIC_KEY) {
      // Checked here, so a wrong key stops start-up naming the variable instead of failing every webhook.
      try {
        parseTelnyxPublicKey(env.TELNYX_PUBLIC_KEY);
      } catch (err) {
        ctx.addIssue({ code: 'custom', path: ['TELNYX_PUBLIC_KEY'], message: (err as Error).message });
      }
    }
    if (env.NEON_READ_REPLICA_URL && !env.NEON_DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['NEON_READ_REPLICA_URL'],
        message: 'set NEON_DATABASE_URL (the primary) too',
      });
    }
  });

export type Env = z.infer<typeof envSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment; throws a ConfigError whose message names each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = envSchema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? 'environment');
    const raw = source[name];
    const shown =
      raw === undefined || /KEY|TOKEN|PASSWORD|SECRET/.test(name) ? '' : ` (got "${redactCredentials(raw)}")`;
    return `${name}: ${issue.message}${shown}`;
  });
  throw new ConfigError(problems);
}
