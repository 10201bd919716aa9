import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** One JSON line per event; secrets in headers never reach the log. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      name: 'voice-agent-api',
      level,
      redact: ['req.headers.authorization', 'req.headers["telnyx-signature-ed25519"]'],
    },
    destination,
  );
}
