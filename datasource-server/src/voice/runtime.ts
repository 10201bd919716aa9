import { randomBytes } from 'node:crypto';
import {
  Agent,
  CallEngine,
  createCallMetrics,
  Dialer,
  HashedNgramEmbedder,
  loadPlaybook,
  RecoverySweeper,
  Rng,
  simulator,
  TelnyxCallCommands,
  ThompsonSamplingChooser,
  WebhookVerifier,
  type CallCommands,
  type CallMetrics,
  type CallOutcome,
  type Stores,
} from '@mwva/voice-core';
import type { Registry } from 'prom-client';
import type { Env } from '../config/env';
import type { Logger } from '../observability/logger';
import { SimulatedTraffic } from './simulated-traffic';

/** Everything that handles calls, wired from the environment. */
export interface VoiceRuntime {
  mode: 'telnyx' | 'simulation';
  metrics: CallMetrics;
  engine: CallEngine;
  dialer: Dialer;
  verifier: WebhookVerifier;
  agent: Agent;
  /** Caller id for outbound calls that name none. */
  defaultFrom: string | null;
  /** The built-in carrier in simulation mode. */
  carrier: simulator.CarrierSimulator | null;
  traffic: SimulatedTraffic | null;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  env: Env;
  stores: Stores;
  registry: Registry;
  logger: Logger;
  /** Our own base URL, where the simulated carrier sends its webhooks. */
  publicUrl: string;
  /** Start the simulated-call trickle in simulation mode (off for `voice-agent simulate`, which drives its own). */
  trickle?: boolean;
  /** Simulator time scale (1 = real time). */
  timeScale?: number;
  onFinalized?: (callId: string, outcome: CallOutcome) => void | Promise<void>;
}

export async function startVoiceRuntime(options: RuntimeOptions): Promise<VoiceRuntime> {
  const { env, stores, registry, logger } = options;
  const metrics = createCallMetrics(registry, {
    activeCalls: () => stores.state.countActive(),
    capacity: env.CALL_CAPACITY,
  });
  const agent = new Agent(
    loadPlaybook(),
    stores.graph,
    stores.vectors,
    new HashedNgramEmbedder(),
    new ThompsonSamplingChooser(new Rng('thompson', process.pid, Date.now())),
  );
  const seeded = await agent.seed();
  logger.info({ playbook: agent.playbook.version, ...seeded }, 'playbook loaded');

  const carrier = env.TELNYX_API_KEY ? null : await startSimulatedCarrier(options);
  const apiKey = env.TELNYX_API_KEY ?? carrier!.apiKey;
  const commands: CallCommands = new TelnyxCallCommands({
    apiKey,
    baseURL: carrier ? `${carrier.sim.url}/v2` : env.TELNYX_BASE_URL,
    connectionId: env.TELNYX_CONNECTION_ID ?? SIMULATED_CONNECTION,
    metrics: { duration: metrics.commandDuration, errors: metrics.commandErrors },
  });
  const verifier = new WebhookVerifier(env.TELNYX_PUBLIC_KEY ?? carrier!.sim.publicKeyBase64);

  const engine = new CallEngine({ stores, commands, agent, metrics, logger, onFinalized: options.onFinalized });
  const dialer = new Dialer(
    { stores, commands, engine, metrics, logger },
    {
      ratePerSecond: env.DIAL_RATE_PER_SECOND,
      capacity: env.CALL_CAPACITY,
      answeringMachineDetection: env.ANSWERING_MACHINE_DETECTION,
    },
  );
  const sweeper = new RecoverySweeper({ stores, engine, logger });
  dialer.start();
  sweeper.start();

  const defaultFrom = env.TELNYX_FROM_NUMBER ?? (carrier ? SIMULATED_FROM : null);
  let traffic: SimulatedTraffic | null = null;
  if (carrier && options.trickle !== false && env.SIMULATION_CALLS_PER_MINUTE > 0) {
    traffic = new SimulatedTraffic(
      { carrier: carrier.sim, dialer, from: defaultFrom!, logger },
      env.SIMULATION_CALLS_PER_MINUTE,
    );
    traffic.start();
  }
  if (carrier) {
    logger.warn(
      { carrier: carrier.sim.url, callsPerMinute: traffic ? env.SIMULATION_CALLS_PER_MINUTE : 0 },
      'SIMULATION MODE: TELNYX_API_KEY is unset, so the built-in simulated carrier handles calls; all calls are simulated',
    );
  }

  return {
    mode: carrier ? 'simulation' : 'telnyx',
    metrics,
    engine,
    dialer,
    verifier,
    agent,
    defaultFrom,
    carrier: carrier?.sim ?? null,
    traffic,
    async close() {
      traffic?.stop();
      await dialer.stop();
      await sweeper.stop();
      await engine.idle();
      engine.stop();
      await carrier?.sim.close();
    },
  };
}

const SIMULATED_CONNECTION = 'simulated-call-control-app';
const SIMULATED_FROM = '+15550100000';

async function startSimulatedCarrier(options: RuntimeOptions) {
  const apiKey = `KEYsim_${randomBytes(16).toString('hex')}`;
  const sim = await simulator.createCarrierSimulator({
    apiKey,
    webhookUrl: `${options.publicUrl}/telnyx/webhooks`,
    connectionId: SIMULATED_CONNECTION,
    seed: options.env.SIMULATION_SEED || Date.now() % 1_000_000,
    timeScale: options.timeScale ?? 1,
  });
  return { sim, apiKey };
}
