import { randomUUID } from 'node:crypto';
import Telnyx, { APIError } from 'telnyx';
import type { Counter, Histogram } from 'prom-client';

/** What the voice core asks of the carrier. A port so the engine is testable without HTTP. */
export interface CallCommands {
  dial(request: CarrierDialRequest): Promise<DialResult>;
  answer(callControlId: string, opts: CommandOptions): Promise<void>;
  speak(callControlId: string, text: string, opts: CommandOptions): Promise<void>;
  startTranscription(callControlId: string, opts: CommandOptions): Promise<void>;
  hangup(callControlId: string, opts: CommandOptions): Promise<void>;
}

export interface CommandOptions {
  /** Telnyx de-duplicates by command_id: a retried or re-applied command must reuse it. */
  commandId?: string;
  clientState?: string;
}

export interface CarrierDialRequest {
  to: string;
  from: string;
  clientState: string;
  commandId: string;
  answeringMachineDetection: boolean;
}

export interface DialResult {
  callControlId: string;
  callLegId: string | null;
  callSessionId: string | null;
}

/** A carrier answer other than success, with its HTTP status (0 = no response). */
export class CarrierError extends Error {
  constructor(
    readonly command: string,
    readonly status: number,
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(`${command}: ${status || 'no response'} ${message}`);
    this.name = 'CarrierError';
  }
}

export interface TelnyxCommandsOptions {
  apiKey: string;
  /** Defaults to the SDK's own (TELNYX_BASE_URL or Telnyx's API). */
  baseURL?: string;
  connectionId: string;
  /** TTS voice for speak. */
  voice?: string;
  timeoutMs?: number;
  /** Retries of 408/409/429/5xx/timeouts by the SDK, with the same command_id (safe: Telnyx de-duplicates). */
  maxRetries?: number;
  metrics: { duration: Histogram<'command'>; errors: Counter<'command' | 'status'> };
}

/** CallCommands on the official `telnyx` SDK. */
export class TelnyxCallCommands implements CallCommands {
  private readonly client: Telnyx;

  constructor(private readonly options: TelnyxCommandsOptions) {
    this.client = new Telnyx({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      timeout: options.timeoutMs ?? 5000,
      maxRetries: options.maxRetries ?? 2,
    });
  }

  async dial(request: CarrierDialRequest): Promise<DialResult> {
    // Dials are not retried here: on 429 the dialer re-queues the call and backs off itself.
    const response = await this.run('dial', () =>
      this.client.calls.dial(
        {
          connection_id: this.options.connectionId,
          to: request.to,
          from: request.from,
          client_state: request.clientState,
          command_id: request.commandId,
          answering_machine_detection: request.answeringMachineDetection ? 'detect' : 'disabled',
        },
        { maxRetries: 0 },
      ),
    );
    const data = response.data;
    if (!data?.call_control_id) throw new CarrierError('dial', 200, 'response carries no call_control_id');
    return {
      callControlId: data.call_control_id,
      callLegId: data.call_leg_id ?? null,
      callSessionId: data.call_session_id ?? null,
    };
  }

  async answer(id: string, opts: CommandOptions): Promise<void> {
    await this.run('answer', () => this.client.calls.actions.answer(id, this.common(opts)));
  }

  async speak(id: string, text: string, opts: CommandOptions): Promise<void> {
    // Not retried: a reply retried after a timeout would answer a turn the prospect has moved past
    // (and hold the call's later events meanwhile); the prospect re-prompts and gets the next one.
    await this.run('speak', () =>
      this.client.calls.actions.speak(
        id,
        { ...this.common(opts), payload: text, voice: this.options.voice ?? 'female' },
        { maxRetries: 0 },
      ),
    );
  }

  async startTranscription(id: string, opts: CommandOptions): Promise<void> {
    await this.run('transcription_start', () =>
      this.client.calls.actions.startTranscription(id, { ...this.common(opts), transcription_tracks: 'inbound' }),
    );
  }

  async hangup(id: string, opts: CommandOptions): Promise<void> {
    await this.run('hangup', () => this.client.calls.actions.hangup(id, this.common(opts)));
  }

  private common(opts: CommandOptions): { command_id: string; client_state?: string } {
    return {
      command_id: opts.commandId ?? randomUUID(),
      ...(opts.clientState ? { client_state: opts.clientState } : {}),
    };
  }

  private async run<T>(command: string, send: () => Promise<T>): Promise<T> {
    const end = this.options.metrics.duration.startTimer({ command });
    try {
      return await send();
    } catch (err) {
      const status = err instanceof APIError ? (err.status ?? 0) : 0;
      this.options.metrics.errors.inc({ command, status: String(status) });
      const retryAfter = err instanceof APIError ? retryAfterMs(err.headers) : null;
      throw new CarrierError(command, status, err instanceof Error ? err.message : String(err), retryAfter);
    } finally {
      end();
    }
  }
}

function retryAfterMs(headers: Headers | undefined): number | null {
  const raw = headers?.get('retry-after');
  if (!raw) return null;
  const seconds = Number(raw);
  return Number.isFinite(seconds) ? Math.max(0, seconds * 1000) : null;
}
