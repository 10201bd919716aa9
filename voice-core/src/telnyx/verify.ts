import { TelnyxWebhook as SdkWebhookVerifier } from 'telnyx/lib/webhooks';
import { telnyxWebhookSchema, type TelnyxWebhook } from './webhook-event';

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
  ) {
    super(message);
    this.name = 'WebhookRejected';
  }
}

/**
 * Verifies Telnyx's Ed25519 signature over `<telnyx-timestamp>|<raw body>` with the official
 * SDK's verifier (±300 s timestamp tolerance), then validates the envelope.
 */
export class WebhookVerifier {
  private readonly sdk: SdkWebhookVerifier;

  /** `publicKey`: the base64 Ed25519 public key from the Telnyx portal (TELNYX_PUBLIC_KEY). */
  constructor(publicKey: string) {
    this.sdk = new SdkWebhookVerifier(publicKey);
  }

  async verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<TelnyxWebhook> {
    const body = rawBody.toString('utf8');
    try {
      await this.sdk.verify(body, flatten(headers));
    } catch (err) {
      throw new WebhookRejected(classify((err as Error).message), (err as Error).message);
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new WebhookRejected('malformed_body', 'body is not valid JSON');
    }
    const parsed = telnyxWebhookSchema.safeParse(json);
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new WebhookRejected(
        'invalid_event',
        `not a Call Control event: ${first?.path.join('.') || 'body'}: ${first?.message}`,
      );
    }
    return parsed.data;
  }
}

function flatten(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(',') : v;
  return out;
}

/** Maps the SDK's messages onto stable reasons for the metric label and the JSON error. */
function classify(message: string): WebhookRejectReason {
  if (/Missing required header: Telnyx-Signature/i.test(message)) return 'missing_signature';
  if (/Missing required header: Telnyx-Timestamp/i.test(message)) return 'missing_timestamp';
  if (/too old or too new/i.test(message)) return 'stale_timestamp';
  if (/Invalid timestamp/i.test(message)) return 'bad_timestamp';
  return 'bad_signature';
}
