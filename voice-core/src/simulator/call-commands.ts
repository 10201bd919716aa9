import { apiErrors } from './errors';
import { optionalString, requiredString, validateUrl, type JsonObject } from './request-parsing';
import type { SimulatedCall } from './simulated-call';

/** The call commands (`POST /v2/calls/{id}/actions/{name}`) the simulator implements. */
const COMMAND_NAMES = [
  'answer',
  'speak',
  'transcription_start',
  'transcription_stop',
  'hangup',
  'reject',
  'playback_start',
  'playback_stop',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export function isSupportedCommand(name: string): name is CommandName {
  return (COMMAND_NAMES as readonly string[]).includes(name);
}

/** Commands only a parked inbound call accepts. */
const NEEDS_PARKED_INBOUND: ReadonlySet<CommandName> = new Set(['answer', 'reject']);
/** Commands only an answered call accepts. */
const NEEDS_ANSWERED: ReadonlySet<CommandName> = new Set([
  'speak',
  'transcription_start',
  'transcription_stop',
  'playback_start',
  'playback_stop',
]);

/** A command with its own parameters checked. */
export type CallCommand =
  | { name: 'answer'; webhookUrl?: string; transcription: boolean }
  | { name: 'speak'; text: string }
  | { name: 'reject'; cause: 'CALL_REJECTED' | 'USER_BUSY' }
  | { name: 'transcription_start' | 'transcription_stop' | 'playback_start' | 'playback_stop' | 'hangup' };

/** Checks a supported command's own parameters (422 on a bad one); nothing changes yet. */
export function parseCommand(name: CommandName, body: JsonObject): CallCommand {
  switch (name) {
    case 'speak': {
      const text = requiredString(body, 'payload');
      if (text.length > 3000)
        throw apiErrors.invalid('payload', "The 'payload' parameter is limited to 3,000 characters.");
      requiredString(body, 'voice');
      const payloadType = optionalString(body, 'payload_type');
      if (payloadType !== undefined && payloadType !== 'text' && payloadType !== 'ssml') {
        throw apiErrors.invalid('payload_type', "The 'payload_type' parameter must be 'text' or 'ssml'.");
      }
      return { name, text };
    }
    case 'reject': {
      const cause = requiredString(body, 'cause');
      if (cause !== 'CALL_REJECTED' && cause !== 'USER_BUSY') {
        throw apiErrors.invalid('cause', "The 'cause' parameter must be CALL_REJECTED or USER_BUSY.");
      }
      return { name, cause };
    }
    case 'playback_start': {
      if (
        body['audio_url'] === undefined &&
        body['media_name'] === undefined &&
        body['playback_content'] === undefined
      ) {
        throw apiErrors.missing('audio_url');
      }
      validateUrl(body, 'audio_url');
      return { name };
    }
    case 'answer': {
      const webhookUrl = validateUrl(body, 'webhook_url');
      return {
        name,
        ...(webhookUrl === undefined ? {} : { webhookUrl }),
        transcription: body['transcription'] === true,
      };
    }
    case 'transcription_start':
    case 'transcription_stop':
    case 'playback_stop':
    case 'hangup':
      return { name };
  }
}

/** 422 when the call's state does not allow the command (e.g. speak before answer). */
export function checkCallState(call: SimulatedCall, name: CommandName): void {
  if (NEEDS_PARKED_INBOUND.has(name) && !(call.direction === 'inbound' && call.phase === 'parked')) {
    throw apiErrors.wrongState(name, call.phase);
  }
  if (NEEDS_ANSWERED.has(name) && call.phase !== 'answered') throw apiErrors.wrongState(name, call.phase);
}

export function applyCommand(call: SimulatedCall, command: CallCommand): void {
  switch (command.name) {
    case 'answer':
      call.answer({ webhookUrl: command.webhookUrl, transcription: command.transcription });
      break;
    case 'speak':
      call.queueSpeak(command.text);
      break;
    case 'transcription_start':
      call.startTranscription();
      break;
    case 'transcription_stop':
      call.stopTranscription();
      break;
    case 'playback_start':
      call.startPlayback();
      break;
    case 'playback_stop':
      break;
    case 'hangup':
      if (call.phase === 'answered') call.end('normal_clearing', call.agentSide, 'agent');
      else call.end('originator_cancel', call.agentSide, 'agent', 'unanswered');
      break;
    case 'reject':
      call.end(command.cause === 'USER_BUSY' ? 'user_busy' : 'call_rejected', 'callee', 'agent', 'rejected');
      break;
  }
}
