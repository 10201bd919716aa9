import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallDialResponse } from 'telnyx/resources/calls/calls';
import { Rng } from '../util/rng';
import type { ApiCounters } from './api-counters';
import { applyCommand, checkCallState, isSupportedCommand, parseCommand, type CommandName } from './call-commands';
import type { CallRegistry } from './call-registry';
import type { CallScripts } from './call-scripts';
import type { CallEvents } from './call-events';
import { ApiFailure, apiErrors } from './errors';
import {
  E164,
  optionalString,
  parseJsonObject,
  readBody,
  requiredString,
  validateCommon,
  validateUrl,
  type JsonObject,
} from './request-parsing';
import { AMD_MODES, type AmdMode, type CommandResult, type SimulatedCall } from './simulated-call';
import { SIM_TIMING } from './timing';
import { TokenBucket } from './token-bucket';

export interface CarrierApiOptions {
  apiKey: string;
  /** The only valid `connection_id`. */
  connectionId: string;
  seed: number;
  dialRatePerSecond: number;
  dialBurst: number;
  /** Share of commands answered 500/503 without being applied. */
  commandErrorRate: number;
  /** Where a dial without its own `webhook_url` sends webhooks (it may change after start). */
  defaultWebhookUrl: () => string;
  isClosed: () => boolean;
  calls: CallRegistry;
  events: CallEvents;
  scripts: CallScripts;
  counters: ApiCounters;
}

/** A dial request with every parameter checked. */
interface DialRequest {
  from: string;
  to: string;
  clientState: string | undefined;
  amd: AmdMode;
  timeoutSecs: number;
  webhookUrl: string;
  transcription: boolean;
}

/**
 * The carrier's HTTP API: the Telnyx Call Control v2 endpoints the `telnyx` SDK uses (dial, call
 * status, call commands), with Telnyx's authentication, validation, rate limit and error bodies.
 */
export class CarrierApi {
  private readonly server: Server;
  private readonly dialTokens: TokenBucket;
  private readonly commandFaults: Rng;

  constructor(private readonly o: CarrierApiOptions) {
    this.dialTokens = new TokenBucket(o.dialRatePerSecond, o.dialBurst);
    this.commandFaults = new Rng('command-faults', o.seed);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => {
        if (res.headersSent) return;
        if (e instanceof ApiFailure) this.send(res, e.status, e.body(), e.headers);
        else this.send(res, 500, apiErrors.unexpected(500).body());
      });
    });
    this.server.keepAliveTimeout = 5_000;
  }

  /** Starts listening; returns the base URL (http://HOST:PORT). */
  async listen(host: string, port: number): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address() as AddressInfo;
    const urlHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return `http://${urlHost}:${address.port}`;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://simulator.invalid');
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'v2') throw apiErrors.notFound();
    const auth = req.headers.authorization ?? '';
    if (auth !== `Bearer ${this.o.apiKey}`) throw apiErrors.authentication();
    if (this.o.isClosed()) throw apiErrors.unexpected(503);
    const raw = await readBody(req);
    const method = req.method ?? 'GET';

    if (parts[1] === 'calls' && parts.length === 2) {
      if (method !== 'POST') throw apiErrors.notFound();
      const result = this.dial(parseJsonObject(raw));
      return this.send(res, result.status, result.body);
    }
    if (parts[1] === 'calls' && parts.length === 3 && method === 'GET') {
      return this.sendStatus(res, decodeURIComponent(parts[2]!));
    }
    if (parts[1] === 'calls' && parts.length === 5 && parts[3] === 'actions') {
      if (method !== 'POST') throw apiErrors.notFound();
      return this.handleCommand(res, parts[2]!, parts[4]!, raw);
    }
    throw apiErrors.notFound();
  }

  /** POST /v2/calls: starts an outbound call (rate-limited) and its prospect's script. */
  private dial(body: JsonObject): { status: number; body: CallDialResponse } {
    const request = this.parseDial(body);
    const retryAfter = this.dialTokens.take();
    if (retryAfter > 0) {
      this.o.counters.rateLimited++;
      throw apiErrors.tooManyRequests(retryAfter);
    }
    this.o.counters.dialsAccepted++;
    const call = this.o.calls.open('outbound', request.from, request.to, request.webhookUrl);
    call.configureDial(request);
    this.o.events.initiated(call);
    this.o.scripts.start(call);
    const r = call.record;
    return {
      status: 200,
      body: {
        data: {
          call_control_id: r.callControlId,
          call_leg_id: r.callLegId,
          call_session_id: r.callSessionId,
          is_alive: false,
          record_type: 'call',
          start_time: r.startedAt,
          ...(request.clientState === undefined ? {} : { client_state: request.clientState }),
        },
      },
    };
  }

  private parseDial(body: JsonObject): DialRequest {
    const connectionId = requiredString(body, 'connection_id');
    if (connectionId !== this.o.connectionId) throw apiErrors.unknownConnection();
    if (Array.isArray(body['to'])) {
      throw apiErrors.invalid('to', 'The simulator dials one destination: `to` must be a single E.164 number.');
    }
    const to = requiredString(body, 'to');
    if (!E164.test(to)) throw apiErrors.notE164('to');
    const from = requiredString(body, 'from');
    if (!E164.test(from)) throw apiErrors.notE164('from');
    const { clientState } = validateCommon(body);
    const amd = optionalString(body, 'answering_machine_detection') ?? 'disabled';
    if (!(AMD_MODES as readonly string[]).includes(amd)) {
      throw apiErrors.invalid(
        'answering_machine_detection',
        `The 'answering_machine_detection' parameter must be one of ${AMD_MODES.join(', ')}.`,
      );
    }
    let timeoutSecs: number = SIM_TIMING.defaultDialTimeoutSecs;
    if (body['timeout_secs'] !== undefined) {
      const t = body['timeout_secs'];
      if (typeof t !== 'number' || !Number.isInteger(t) || t < 5 || t > 600) {
        throw apiErrors.invalid('timeout_secs', "The 'timeout_secs' parameter must be an integer between 5 and 600.");
      }
      timeoutSecs = t;
    }
    const webhookUrl = validateUrl(body, 'webhook_url') ?? this.o.defaultWebhookUrl();
    if (body['transcription'] !== undefined && typeof body['transcription'] !== 'boolean') {
      throw apiErrors.invalid('transcription', "The 'transcription' parameter must be a boolean.");
    }
    const transcription = body['transcription'] === true;
    return { from, to, clientState, amd: amd as AmdMode, timeoutSecs, webhookUrl, transcription };
  }

  /** GET /v2/calls/{id}. */
  private sendStatus(res: ServerResponse, callControlId: string): void {
    const call = this.o.calls.get(callControlId);
    if (!call) throw apiErrors.notFound('Call not found.');
    const r = call.record;
    this.send(res, 200, {
      data: {
        call_control_id: r.callControlId,
        call_leg_id: r.callLegId,
        call_session_id: r.callSessionId,
        is_alive: call.phase !== 'ended',
        record_type: 'call',
        start_time: r.startedAt,
        ...(r.endedAt ? { end_time: r.endedAt } : {}),
        ...(call.clientState ? { client_state: call.clientState } : {}),
      },
    });
  }

  /** POST /v2/calls/{id}/actions/{name}: counted and logged on the call whatever the answer. */
  private handleCommand(res: ServerResponse, encodedId: string, name: string, raw: string): void {
    let id: string;
    try {
      id = decodeURIComponent(encodedId);
    } catch {
      throw apiErrors.notFound('Call not found.');
    }
    const call = this.o.calls.get(id);
    if (!isSupportedCommand(name)) {
      throw apiErrors.notFound(`Unknown or unsupported call command '${name}'.`);
    }
    if (!call) {
      this.o.counters.countCommand(name, 404);
      throw apiErrors.notFound('Call not found: unknown call_control_id.');
    }
    let status = 200;
    let commandId: string | null = null;
    try {
      const body = parseJsonObject(raw);
      commandId = typeof body['command_id'] === 'string' ? body['command_id'] : null;
      const result = this.command(call, name, body);
      this.send(res, result.status, result.body);
    } catch (e) {
      status = e instanceof ApiFailure ? e.status : 500;
      throw e;
    } finally {
      this.o.counters.countCommand(name, status);
      call.logCommand(name, status, commandId);
    }
  }

  private command(call: SimulatedCall, name: CommandName, body: JsonObject): CommandResult {
    const { clientState, commandId } = validateCommon(body);
    if (commandId !== undefined) {
      const previous = call.resultOf(commandId);
      if (previous) {
        this.o.counters.idempotentReplays++;
        return previous;
      }
    }
    if (call.phase === 'ended') throw apiErrors.callEnded();
    const command = parseCommand(name, body);
    this.injectCommandFault();
    checkCallState(call, name);
    if (clientState !== undefined) call.setClientState(clientState);
    applyCommand(call, command);
    const result = { status: 200, body: { data: { result: 'ok' } } };
    if (commandId !== undefined) call.rememberResult(commandId, result);
    return result;
  }

  /** The commandErrorRate fault: a 500 or 503 before anything is applied. */
  private injectCommandFault(): void {
    const rate = this.o.commandErrorRate;
    if (rate > 0 && this.commandFaults.chance(rate)) {
      this.o.counters.faultsInjected++;
      throw apiErrors.unexpected(this.commandFaults.chance(0.5) ? 500 : 503);
    }
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    this.o.counters.countResponse(status);
    const text = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
      'x-request-id': randomUUID(),
      ...headers,
    });
    res.end(text);
  }
}
