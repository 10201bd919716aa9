/** The store variables the API reads; `deploy/local/services.sh up` prints them for the real servers. */
export const STORE_ENV = [
  'NEON_DATABASE_URL',
  'NEON_READ_REPLICA_URL',
  'MONGODB_URI',
  'NEO4J_URI',
  'NEO4J_USER',
  'NEO4J_PASSWORD',
  'CHROMA_HOST',
  'REDIS_URL',
] as const;
export type StoreEnv = Partial<Record<(typeof STORE_ENV)[number], string>>;

/** The real stores from the environment (`eval "$(bash deploy/local/services.sh up)"`); all required. */
export function storeEnvFromProcess(): StoreEnv {
  const missing = STORE_ENV.filter(
    (n) => n !== 'NEON_READ_REPLICA_URL' && n !== 'NEO4J_PASSWORD' && n !== 'NEO4J_USER' && !process.env[n],
  );
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(', ')} not set: this runs on the real stores. Start them first:\n` +
        '  eval "$(bash deploy/local/services.sh up)"',
    );
  }
  return Object.fromEntries(STORE_ENV.map((n) => [n, process.env[n] ?? '']));
}

/**
 * One variable a stack suite needs from `deploy/local/services.sh up`. A missing one fails the
 * suite with instructions; it never turns into a silent skip.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(
      `${name} is not set. Start the real servers and export their URLs first:\n` +
        '  eval "$(bash deploy/local/services.sh up)" && npm run test:stack',
    );
  }
  return value;
}
