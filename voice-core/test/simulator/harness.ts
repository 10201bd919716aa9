import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Telnyx from 'telnyx';
import { TelnyxWebhook } from 'telnyx/lib/webhooks';
import { VERDICTS_NO, VERDICTS_YES, OPENINGS } from '../../src/simulator/corpus';
import type { WebhookEnvelope } from '../../src/simulator';

export const API_KEY = 'KEY_simulator_test';
export const CONNECTION_ID = '2130000000000000001';

export interface Received {
  envelope: WebhookEnvelope;
  raw: string;
  headers: Record<string, string>;
  receivedAt: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** Signature failures seen (should stay empty). */
  verifyErrors: string[];
  /**
   * Events (first delivery of each data.id) for one call, in arrival order. A call is matched by
   * its session: Telnyx's answering-machine events carry no call_control_id.
   */
  eventsOf(callControlId: string): Received[];
  close(): Promise<void>;
}

function headersOf(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') out[k] = v;
  return out;
}

/**
 * A webhook receiver that verifies every delivery with the SDK's own Ed25519 verifier and
 * hands each new event (deduplicated on data.id) to `onEvent` after acknowledging it.
 */
export async function startReceiver(
  publicKeyBase64: string | (() => string),
  onEvent: (r: Received) => void | Promise<void> = () => undefined,
  respond: (r: Received) => number = () => 200,
): Promise<Receiver> {
  let verifier: TelnyxWebhook | null = null;
  const key = (): TelnyxWebhook =>
    (verifier ??= new TelnyxWebhook(typeof publicKeyBase64 === 'string' ? publicKeyBase64 : publicKeyBase64()));
  const received: Received[] = [];
  const verifyErrors: string[] = [];
  const seen = new Set<string>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const headers = headersOf(req);
      Promise.resolve()
        .then(() => key().verify(raw, headers))
        .then(() => {
          const r: Received = { envelope: JSON.parse(raw) as WebhookEnvelope, raw, headers, receivedAt: Date.now() };
          received.push(r);
          const status = respond(r);
          res.writeHead(status).end();
          if (status >= 200 && status < 300 && !seen.has(r.envelope.data.id)) {
            seen.add(r.envelope.data.id);
            void Promise.resolve(onEvent(r)).catch(() => undefined);
          }
        })
        .catch((e: unknown) => {
          verifyErrors.push(String(e));
          res.writeHead(401).end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/telnyx/webhooks`,
    received,
    verifyErrors,
    eventsOf(id) {
      const payload = (r: Received) =>
        r.envelope.data.payload as { call_control_id?: string; call_session_id?: string };
      const sessions = new Set(
        received.filter((r) => payload(r).call_control_id === id).map((r) => payload(r).call_session_id),
      );
      const ids = new Set<string>();
      return received.filter((r) => {
        if (!sessions.has(payload(r).call_session_id) || ids.has(r.envelope.data.id)) return false;
        ids.add(r.envelope.data.id);
        return true;
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export function sdk(simUrl: string, maxRetries = 2): Telnyx {
  return new Telnyx({ apiKey: API_KEY, baseURL: `${simUrl}/v2`, maxRetries, timeout: 10_000 });
}

let counter = 0;
/** Answering-machine events name the call by its session only (shared: tests build an agent per event). */
const controlIdOfSession = new Map<string, string>();
const cid = (): string => `cmd-${process.pid}-${++counter}`;

/**
 * The smallest agent that completes a call: answer inbound calls, greet, start transcription,
 * answer every objection with a speak, hang up after the verdict; hang up on machines.
 */
export function minimalAgent(
  client: Telnyx,
  answerFor: (transcript: string) => string = () => 'I hear you. Here is why it is worth it.',
) {
  const speak = (id: string, payload: string) =>
    client.calls.actions.speak(id, { payload, voice: 'female', command_id: cid() }).catch(() => undefined);
  return async (r: Received): Promise<void> => {
    const { event_type: type, payload } = r.envelope.data as {
      event_type: string;
      payload: {
        call_control_id?: string;
        call_session_id: string;
        direction?: string;
        result?: string;
        transcription_data?: { transcript: string; is_final: boolean };
      };
    };
    if (payload.call_control_id) controlIdOfSession.set(payload.call_session_id, payload.call_control_id);
    const id = payload.call_control_id ?? controlIdOfSession.get(payload.call_session_id) ?? '';
    switch (type) {
      case 'call.initiated':
        if (payload.direction === 'incoming')
          await client.calls.actions.answer(id, { command_id: cid() }).catch(() => undefined);
        break;
      case 'call.answered':
        await speak(id, 'Hi, this is Max from Magnificent Worldwide. Do you have a minute?');
        await client.calls.actions.startTranscription(id, { command_id: cid() }).catch(() => undefined);
        break;
      case 'call.machine.detection.ended':
        if (payload.result === 'machine')
          await client.calls.actions.hangup(id, { command_id: cid() }).catch(() => undefined);
        break;
      case 'call.transcription': {
        const t = payload.transcription_data;
        if (!t?.is_final) break;
        if (VERDICTS_YES.includes(t.transcript) || VERDICTS_NO.includes(t.transcript)) {
          await client.calls.actions.hangup(id, { command_id: cid() }).catch(() => undefined);
        } else if (!OPENINGS.includes(t.transcript)) {
          await speak(id, answerFor(t.transcript));
        }
        break;
      }
      default:
        break;
    }
  };
}
