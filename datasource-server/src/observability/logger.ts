import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/**
 * One JSON line per event (what log shippers read); readable lines instead when a person watches
 * a terminal. Secrets in headers never reach the log.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream | undefined = process.stdout.isTTY ? terminal() : undefined,
): Logger {
  return pino(
    {
      name: 'voice-agent-api',
      level,
      redact: ['req.headers.authorization', 'req.headers["telnyx-signature-ed25519"]'],
    },
    destination,
  );
}

function terminal(): pino.DestinationStream {
  return pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss', ignore: 'pid,hostname,name', sync: true });
}
