import { randomUUID } from 'node:crypto';
import { inboundCallId } from '@mwva/voice-core';
import { startEngine, webhook, type EngineHarness } from '../helpers/engine';

/**
 * A reply is spoken only while its turn is fresh. An event applied long after it reached us
 * (the call's queue waited on a slow carrier, or the recovery sweep re-applied it) keeps its turn
 * in the transcript, but its reply is not spoken: the prospect has re-prompted or hung up, and a
 * stale speak toward a slow or gone carrier held every later event of the call.
 */
describe('late replies', () => {
  let h: EngineHarness;

  beforeAll(async () => {
    h = await startEngine({ replyDeadlineMs: 1000 });
  }, 60_000);

  afterAll(() => h.close());

  async function answeredCall() {
    const callControlId = `v3:${randomUUID()}`;
    const payload = {
      call_control_id: callControlId,
      call_leg_id: randomUUID(),
      call_session_id: randomUUID(),
      from: '+15550001111',
      to: '+15550002222',
      direction: 'incoming',
    };
    const t = Date.now();
    await h.engine.ingest(webhook('call.initiated', new Date(t).toISOString(), { ...payload, state: 'parked' }));
    await h.engine.ingest(webhook('call.answered', new Date(t + 100).toISOString(), payload));
    await h.engine.idle();
    return { callControlId, payload, at: t };
  }

  const turn = (payload: object, at: number, words: string) =>
    webhook('call.transcription', new Date(at).toISOString(), {
      ...payload,
      transcription_data: { transcript: words, is_final: true, confidence: 0.9, transcription_track: 'inbound' },
    });

  const speaksTo = (id: string) => h.carrier.sent.filter((c) => c.command === 'speak' && c.callControlId === id).length;

  it('speaks the reply to a fresh turn', async () => {
    const call = await answeredCall();
    const before = speaksTo(call.callControlId);
    await h.engine.ingest(turn(call.payload, call.at + 2000, "it's too expensive"));
    await h.engine.idle();
    expect(speaksTo(call.callControlId)).toBe(before + 1);
  });

  it('keeps a stale turn in the transcript but does not speak its reply', async () => {
    const call = await answeredCall();
    const before = speaksTo(call.callControlId);
    // Received 5 s ago: the deadline (1 s) passed while it waited.
    await h.engine.ingest(turn(call.payload, call.at + 2000, "it's too expensive"), performance.now() - 5000);
    await h.engine.idle();
    expect(speaksTo(call.callControlId)).toBe(before);
    const transcript = await h.stores.transcripts.getTranscript(inboundCallId(call.callControlId));
    expect(transcript.map((t) => t.text)).toContain("it's too expensive");
  });
});
