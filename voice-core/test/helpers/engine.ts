import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  Agent,
  CallEngine,
  createCallMetrics,
  FirstCandidateChooser,
  HashedNgramEmbedder,
  loadPlaybook,
  openStores,
  type CallCommands,
  type CallEngineOptions,
  type Stores,
  type VerifiedWebhook,
} from '@mwva/voice-core';

/**
 * The carrier side for engine tests: accepts every command and remembers it. The real carrier
 * (the simulator) is exercised end to end elsewhere; here the subject is what the engine makes
 * of the events it is given.
 */
export class RecordingCarrier implements CallCommands {
  readonly sent: { command: string; callControlId: string }[] = [];
  dial = async () => {
    this.sent.push({ command: 'dial', callControlId: '' });
    return { callControlId: `v3:${randomUUID()}`, callLegId: randomUUID(), callSessionId: randomUUID() };
  };
  answer = async (callControlId: string) => void this.sent.push({ command: 'answer', callControlId });
  speak = async (callControlId: string) => void this.sent.push({ command: 'speak', callControlId });
  startTranscription = async (callControlId: string) =>
    void this.sent.push({ command: 'transcription_start', callControlId });
  hangup = async (callControlId: string) => void this.sent.push({ command: 'hangup', callControlId });
}

export interface EngineHarness {
  stores: Stores;
  engine: CallEngine;
  carrier: RecordingCarrier;
  close(): Promise<void>;
}

/** The agent of the playbook on these stores, seeded, always choosing the first candidate. */
export async function seededAgent(stores: Stores): Promise<Agent> {
  const agent = new Agent(
    loadPlaybook(),
    stores.graph,
    stores.vectors,
    new HashedNgramEmbedder(),
    new FirstCandidateChooser(),
  );
  await agent.seed();
  return agent;
}

/** A call engine on embedded in-memory stores with the playbook seeded. */
export async function startEngine(options: CallEngineOptions = {}): Promise<EngineHarness> {
  const registry = new Registry();
  const stores = await openStores({ dataDir: null }, registry);
  const agent = await seededAgent(stores);
  const metrics = createCallMetrics(registry, { activeCalls: () => stores.state.countActive(), capacity: 1000 });
  const carrier = new RecordingCarrier();
  const engine = new CallEngine(
    { stores, commands: carrier, agent, metrics, logger: pino({ level: 'silent' }) },
    { finalizeSettleMs: 10, ...options },
  );
  return {
    stores,
    engine,
    carrier,
    async close() {
      engine.stop();
      await stores.close();
    },
  };
}

/** A Telnyx event as the webhook verifier hands it to the engine. */
export function webhook(
  eventType: string,
  occurredAt: string,
  payload: Record<string, unknown>,
  id: string = randomUUID(),
): VerifiedWebhook {
  const data = { record_type: 'event', event_type: eventType, id, occurred_at: occurredAt, payload };
  return { webhook: { id, eventType, occurredAt, payload }, body: { data } };
}
