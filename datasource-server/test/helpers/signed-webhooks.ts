import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { simulator } from '@mwva/voice-core';

/**
 * Telnyx's side of webhook delivery for tests: our own Ed25519 key pair standing in for
 * Telnyx's, real signatures over `<timestamp>|<raw body bytes>`, and a POST to the server.
 */
export class WebhookSender {
  readonly keys = generateKeyPairSync('ed25519');
  /** What TELNYX_PUBLIC_KEY holds: the raw 32-byte key, base64, as Telnyx's portal shows it. */
  readonly publicKeyBase64 = rawPublicKey(this.keys.publicKey);

  constructor(private readonly url: () => string) {}

  signed(body: string | Buffer, opts: { key?: KeyObject; timestamp?: number } = {}): Record<string, string> {
    const timestamp = String(opts.timestamp ?? Math.floor(Date.now() / 1000));
    return {
      'telnyx-timestamp': timestamp,
      'telnyx-signature-ed25519': simulator.signWebhook(opts.key ?? this.keys.privateKey, timestamp, body),
    };
  }

  post(body: string | Buffer, headers: Record<string, string>): Promise<Response> {
    return fetch(`${this.url()}/telnyx/webhooks`, {
      method: 'POST',
      body: typeof body === 'string' ? body : new Uint8Array(body),
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  /** Signs and posts one event envelope `{ data }` as Telnyx would. */
  send(data: Record<string, unknown>): Promise<Response> {
    const body = JSON.stringify({ data, meta: { attempt: 1, delivered_to: `${this.url()}/telnyx/webhooks` } });
    return this.post(body, this.signed(body));
  }
}

function rawPublicKey(key: KeyObject): string {
  const der = key.export({ type: 'spki', format: 'der' });
  return der.subarray(der.length - 32).toString('base64');
}
