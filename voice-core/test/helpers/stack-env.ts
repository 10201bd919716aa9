/**
 * The stack suites run against the servers of `deploy/local/services.sh up`. A missing
 * variable fails the suite with instructions; it never turns into a silent skip.
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
