import { randomUUID } from 'node:crypto';
import type {
  CallAnswered,
  CallCostWebhookEvent,
  CallHangup,
  CallInitiated,
  CallMachineDetectionEnded,
  CallMachineGreetingEnded,
  CallPlaybackEnded,
  CallPlaybackStarted,
  CallSpeakEnded,
  CallSpeakStarted,
  Transcription,
} from 'telnyx/resources/webhooks';
import type { Rng } from '../util/rng';
import { isoTime, type SimClock } from './clock';
import type { DeliveryQueue, EventData } from './delivery';
import type { SimulatedCall } from './simulated-call';
import type { HangupCause, HangupSource, PayloadOptions } from './types';

interface EventPayloads {
  'call.initiated': CallInitiated.Payload;
  'call.answered': CallAnswered.Payload;
  'call.hangup': CallHangup.Payload;
  'call.speak.started': CallSpeakStarted.Payload;
  'call.speak.ended': CallSpeakEnded.Payload;
  'call.transcription': Transcription.Payload;
  'call.machine.detection.ended': CallMachineDetectionEnded.Payload;
  'call.machine.greeting.ended': CallMachineGreetingEnded.Payload;
  'call.playback.started': CallPlaybackStarted.Payload;
  'call.playback.ended': CallPlaybackEnded.Payload;
  'call.cost': CallCostWebhookEvent.Data.Payload;
}

/** The ids every call webhook carries. */
interface CallIds {
  call_control_id: string;
  call_leg_id: string;
  call_session_id: string;
  connection_id: string;
  client_state?: string;
}

/** Per-minute rates used for call.cost (USD). */
const RATES = { callControl: 0.002, inbound: 0.0035, outbound: 0.005 } as const;

export interface CallEventsOptions {
  connectionId: string;
  clock: SimClock;
  /** The delivery side (WebhookDispatcher): one ordered queue per call. */
  delivery: { enqueue(queue: DeliveryQueue, data: EventData, url: string): void };
  payloads: Required<PayloadOptions>;
  /** Draws the documented-but-rare payload shapes (null confidence, failed cost). */
  shapes: Rng;
}

/**
 * The webhooks Telnyx sends about a call, built in the payload shapes it documents and handed
 * to the call's delivery queue (and its record). Nothing is sent once the simulator is closed.
 */
export class CallEvents {
  constructor(private readonly o: CallEventsOptions) {}

  initiated(call: SimulatedCall): void {
    const { from, to, startedAt } = call.record;
    if (call.direction === 'outbound') {
      this.emit(call, 'call.initiated', {
        ...this.ids(call),
        direction: 'outgoing',
        from,
        to,
        state: 'bridging',
        start_time: startedAt,
      });
      return;
    }
    this.emit(call, 'call.initiated', {
      ...this.ids(call),
      direction: 'incoming',
      from,
      to,
      state: 'parked',
      start_time: startedAt,
      caller_id_name: from,
      offered_codecs: 'PCMU,PCMA,G722,OPUS',
    });
  }

  answered(call: SimulatedCall): void {
    this.emit(call, 'call.answered', {
      ...this.ids(call),
      from: call.record.from,
      to: call.record.to,
      start_time: call.record.startedAt,
      state: 'answered',
    });
  }

  speakStarted(call: SimulatedCall): void {
    this.emit(call, 'call.speak.started', this.ids(call));
  }

  speakEnded(call: SimulatedCall, status: 'completed' | 'call_hangup'): void {
    this.emit(call, 'call.speak.ended', { ...this.ids(call), status });
  }

  playbackStarted(call: SimulatedCall): void {
    this.emit(call, 'call.playback.started', { ...this.ids(call) });
  }

  playbackEnded(call: SimulatedCall): void {
    this.emit(call, 'call.playback.ended', { ...this.ids(call), status: 'completed' });
  }

  /**
   * As Telnyx's own example: no client_state and, with the default (Google) engine, no
   * transcription_track; `confidence` is null for some (the `cohere/ar-stt` engine).
   */
  transcription(call: SimulatedCall, transcript: string, isFinal: boolean, confidence: number): void {
    const { client_state: _omitted, ...ids } = this.ids(call);
    const nullConfidence = this.o.shapes.chance(this.o.payloads.nullConfidenceRate);
    this.emit(call, 'call.transcription', {
      ...ids,
      transcription_data: {
        transcript,
        confidence: nullConfidence ? (null as unknown as number) : confidence,
        is_final: isFinal,
      },
    });
  }

  machineDetectionEnded(call: SimulatedCall): void {
    this.emit(call, 'call.machine.detection.ended', {
      ...this.amdIds(call),
      from: call.record.from,
      to: call.record.to,
      result: call.prospect.amdResult,
    });
  }

  machineGreetingEnded(call: SimulatedCall): void {
    this.emit(call, 'call.machine.greeting.ended', {
      ...this.amdIds(call),
      from: call.record.from,
      to: call.record.to,
      result: 'beep_detected',
    });
  }

  hangup(call: SimulatedCall, cause: HangupCause, source: HangupSource): void {
    const r = call.record;
    this.emit(call, 'call.hangup', {
      ...this.ids(call),
      from: r.from,
      to: r.to,
      start_time: r.startedAt,
      state: 'hangup',
      hangup_cause: cause,
      hangup_source: source,
      sip_hangup_cause: sipCause(cause, call.direction),
      call_quality_stats: this.qualityStats(call),
    } as CallHangup.Payload);
  }

  /** Bills the answered time up to `endedMark` (performance.now(); simulated seconds, at least 1 once answered). */
  cost(call: SimulatedCall, endedMark: number): void {
    const answeredMark = call.answeredAtMark;
    const simSecs = answeredMark === null ? 0 : this.o.clock.simSecondsBetween(answeredMark, endedMark);
    const billed = answeredMark === null ? 0 : Math.max(1, Math.ceil(simSecs));
    const minutes = billed / 60;
    const trunkRate = call.direction === 'outbound' ? RATES.outbound : RATES.inbound;
    const parts = [
      { call_part: 'call-control', rate: RATES.callControl, cost: minutes * RATES.callControl },
      { call_part: 'sip-trunking', rate: trunkRate, cost: minutes * trunkRate },
    ];
    // Drawn even when cost webhooks are off, so that the setting does not shift other draws.
    const failed = this.o.shapes.chance(this.o.payloads.costErrorRate);
    if (!this.o.payloads.callCostWebhooks) return;
    this.emit(call, 'call.cost', {
      ...this.ids(call),
      occurred_at: isoTime(),
      // A failed calculation is documented with null total and duration (spec: nullable).
      ...(failed
        ? {
            status: 'error',
            total_cost: null as unknown as string,
            billed_duration_secs: null as unknown as number,
          }
        : {
            status: 'success',
            billed_duration_secs: billed,
            total_cost: parts.reduce((s, p) => s + p.cost, 0).toFixed(4),
            cost_parts: parts.map((p) => ({
              call_part: p.call_part,
              billed_duration_secs: billed,
              rate: p.rate.toFixed(4),
              cost: p.cost.toFixed(4),
              currency: 'USD',
            })),
          }),
    });
  }

  private ids(call: SimulatedCall): CallIds {
    return {
      call_control_id: call.record.callControlId,
      call_leg_id: call.record.callLegId,
      call_session_id: call.record.callSessionId,
      connection_id: this.o.connectionId,
      ...(call.clientState === undefined ? {} : { client_state: call.clientState }),
    };
  }

  /** Telnyx's answering-machine examples carry no call_control_id. */
  private amdIds(call: SimulatedCall): Omit<CallIds, 'call_control_id'> {
    const { call_control_id: _omitted, ...ids } = this.ids(call);
    return ids;
  }

  private qualityStats(call: SimulatedCall): CallHangup.Payload.CallQualityStats | null {
    if (call.answeredAtMark === null) return null;
    const secs = Math.max(1, this.o.clock.simSecondsBetween(call.answeredAtMark, performance.now()));
    const packets = Math.round(secs * 50);
    const loss = Math.round(packets * call.timing.range(0, 0.01));
    return {
      inbound: {
        mos: call.timing.range(3.9, 4.5).toFixed(2),
        jitter_max_variance: call.timing.range(0.5, 12).toFixed(2),
        jitter_packet_count: String(Math.round(packets * 0.02)),
        packet_count: String(packets),
        skip_packet_count: String(loss),
      },
      outbound: { packet_count: String(packets), skip_packet_count: '0' },
    };
  }

  private emit<K extends keyof EventPayloads>(call: SimulatedCall, eventType: K, payload: EventPayloads[K]): void {
    if (this.o.clock.closed) return;
    const data = {
      record_type: 'event' as const,
      event_type: eventType,
      id: randomUUID(),
      occurred_at: isoTime(),
      payload,
    };
    call.logWebhook(data.id, eventType, data.occurred_at);
    this.o.delivery.enqueue(call.queue, data, call.webhookUrl);
  }
}

function sipCause(cause: HangupCause, direction: 'inbound' | 'outbound'): string {
  switch (cause) {
    case 'user_busy':
      return '486';
    case 'timeout':
    case 'originator_cancel':
      return '487';
    case 'call_rejected':
      return '603';
    default:
      return direction === 'outbound' ? '200' : 'unspecified';
  }
}
