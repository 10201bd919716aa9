import type { CallStore } from '../ports';
import { decodeClientState, readCallPayload } from '../telnyx/webhook-event';
import { inboundCallId } from './live-call';

/** Call-control ids remembered per process; a call's ids never change, so entries never go stale. */
const REMEMBERED_IDS = 20_000;

/**
 * Which of our calls a Telnyx event belongs to. Our `client_state` names it when the event
 * carries it, but Telnyx does not promise that (its own `call.transcription` example has none),
 * so next come the call's Telnyx ids as recorded from the dial or from earlier events, then the
 * inbound-call derivation from `call_control_id` (inbound calls are created by their events).
 */
export class CallRouter {
  private readonly byControlId = new Map<string, string>();

  constructor(private readonly calls: CallStore) {}

  async route(eventId: string, eventType: string, payload: Record<string, unknown>): Promise<string> {
    const p = readCallPayload(payload);
    const ours = decodeClientState(p.client_state)?.callId;
    const controlId = p.call_control_id ?? null;
    if (ours) {
      if (controlId) this.remember(controlId, ours);
      return ours;
    }
    if (controlId && eventType === 'call.initiated' && p.direction === 'incoming') return inboundCallId(controlId);
    const known = await this.lookup(controlId, p.call_session_id ?? null);
    if (known) return known;
    if (controlId) return inboundCallId(controlId);
    // Nothing to route by: stored all the same, and dead-lettered if it never finds its call.
    return `unrouted:${p.call_session_id ?? p.call_leg_id ?? eventId}`;
  }

  /**
   * A better route for an event that found no call where it was stored (routed before its call's
   * ids were known), or null.
   */
  async reroute(storedCallId: string, payload: Record<string, unknown>): Promise<string | null> {
    const p = readCallPayload(payload);
    if (decodeClientState(p.client_state)) return null;
    const known = await this.lookup(p.call_control_id ?? null, p.call_session_id ?? null);
    return known && known !== storedCallId ? known : null;
  }

  remember(callControlId: string, callId: string): void {
    if (this.byControlId.size >= REMEMBERED_IDS) {
      this.byControlId.delete(this.byControlId.keys().next().value!);
    }
    this.byControlId.set(callControlId, callId);
  }

  private async lookup(callControlId: string | null, callSessionId: string | null): Promise<string | null> {
    const cached = callControlId ? this.byControlId.get(callControlId) : undefined;
    if (cached) return cached;
    const found = await this.calls.findCallIdByTelnyxIds({ callControlId, callSessionId });
    if (found && callControlId) this.remember(callControlId, found);
    return found;
  }
}
