import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { JsonTooDeepError, storableJson } from '../util/storable-json';
import { readEnvelope, type TelnyxWebhook } from './webhook-event';

export type WebhookRejectReason =
  | 'missing_signature'
  | 'missing_timestamp'
  | 'stale_timestamp'
  | 'bad_timestamp'
  | 'bad_signature'
  | 'malformed_body'
  | 'invalid_event';

export class WebhookRejected extends Error {
  constructor(
    readonly reason: WebhookRejectReason,
    message: string,
    /** The part of the body at fault, for 4xx answers. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'WebhookRejected';
  }
}

/** A verified webhook: the event, and the whole body (made storable) for the audit copy. */
export interface VerifiedWebhook {
  webhook: TelnyxWebhook;
  body: Record<string, unknown>;
}

/** Telnyx's SDKs (node, python, go) all accept ±300 s. */
export const TIMESTAMP_TOLERANCE_SECONDS = 300;

/**
 * Parses TELNYX_PUBLIC_KEY: the base64 of a raw 32-byte Ed25519 key, as the Telnyx portal shows
 * it. Throws with a readable reason, so configuration can name the variable at start-up.
 */
export function parseTelnyxPublicKey(base64: string): KeyObject {
  const trimmed = base64.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new Error('expected a base64 Ed25519 public key');
  const raw = Buffer.from(trimmed, 'base64');
  if (raw.length !== 32) throw new Error(`expected a 32-byte Ed25519 public key (got ${raw.length} bytes)`);
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

/**
 * Verifies Telnyx's Ed25519 signature over `<telnyx-timestamp>|<raw body bytes>` (what Telnyx
 * signs; verifying over the raw bytes, as Telnyx's Go SDK does, keeps a body that is not valid
 * UTF-8 verifiable), checks the timestamp window, then parses the body once.
 */
export class WebhookVerifier {
  private readonly key: KeyObject;

  /** `publicKey`: the base64 Ed25519 public key from the Telnyx portal (TELNYX_PUBLIC_KEY). */
  constructor(
    publicKey: string,
    private readonly now: () => number = Date.now,
  ) {
    this.key = parseTelnyxPublicKey(publicKey);
  }

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedWebhook {
    this.checkSignature(rawBody, headers);
    let json: unknown;
    try {
      json = JSON.parse(rawBody.toString('utf8'));
    } catch {
      throw new WebhookRejected('malformed_body', 'body is not valid JSON', 'body');
    }
    let body: unknown;
    try {
      body = storableJson(json);
    } catch (err) {
      if (err instanceof JsonTooDeepError) throw new WebhookRejected('invalid_event', err.message, 'body');
      throw err;
    }
    const envelope = readEnvelope(body);
    if (!envelope.ok) {
      throw new WebhookRejected(
        'invalid_event',
        `not a Call Control event: ${envelope.field}: ${envelope.message}`,
        envelope.field,
      );
    }
    return { webhook: envelope.webhook, body: body as Record<string, unknown> };
  }

  private checkSignature(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): void {
    const signature = header(headers, 'telnyx-signature-ed25519');
    const timestamp = header(headers, 'telnyx-timestamp');
    if (!signature) throw new WebhookRejected('missing_signature', 'Missing required header: Telnyx-Signature-Ed25519');
    if (!timestamp) throw new WebhookRejected('missing_timestamp', 'Missing required header: Telnyx-Timestamp');
    if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookRejected('bad_timestamp', 'Invalid timestamp format');
    const skew = Math.abs(this.now() / 1000 - Number(timestamp));
    if (skew > TIMESTAMP_TOLERANCE_SECONDS) {
      throw new WebhookRejected('stale_timestamp', 'Webhook timestamp is too old or too new');
    }
    const sig = Buffer.from(signature, 'base64');
    const signed = Buffer.concat([Buffer.from(`${timestamp}|`), rawBody]);
    if (sig.length !== 64 || !verifySignature(null, signed, this.key, sig)) {
      throw new WebhookRejected('bad_signature', 'Signature verification failed');
    }
  }
}

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}
