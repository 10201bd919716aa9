import { randomBytes } from 'node:crypto';
import {
  Agent,
  BeastModeTracker,
  CallEngine,
  createCallMetrics,
  Dialer,
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
  type Embedder,
  type ResponseChooser,
  type Stores,
} from '@mwva/voice-core';
import type { Registry } from 'prom-client';
import type { Env } from '../config/env';
import type { Logger } from '../observability/logger';
import { beastModeOptions } from './beast-mode-options';
import { SimulatedTraffic } from './simulated-traffic';

/** Everything that handles calls, wired from the environment. */
export interface VoiceRuntime {
  mode: 'telnyx' | 'simulation';
  metrics: CallMetrics;
  beastMode: BeastModeTracker;
  engine: CallEngine;
  dialer: Dialer;
  verifier: WebhookVerifier;
  agent: Agent;
  /** Caller id for outbound calls that name none. */
  defaultFrom: string | null;
  /** The built-in carrier in simulation mode. */
  carrier: simulator.CarrierSimulator | null;
  /** The simulated-call trickle, once started (simulation mode). */
  traffic: SimulatedTraffic | null;
  /**
   * Starts the background work (dialer, recovery sweep, Beast Mode snapshots, simulated traffic)
   * once the server listens at `publicUrl`, where the simulated carrier sends its webhooks.
   */
  start(publicUrl: string): void;
  close(drainMs?: number): Promise<void>;
}

export interface RuntimeOptions {
  env: Env;
  stores: Stores;
  registry: Registry;
  logger: Logger;
  /** The one embedder: intent examples, utterances and searches all use its vectors. */
  embedder: Embedder;
  /** Start the simulated-call trickle in simulation mode (off for `voice-agent simulate`, which drives its own). */
  trickle?: boolean;
  /** Settings of the built-in simulated carrier (seed, time scale, faults …). */
  simulator?: Partial<Omit<simulator.CarrierSimulatorOptions, 'apiKey' | 'webhookUrl' | 'connectionId'>>;
  onFinalized?: (callId: string, outcome: CallOutcome) => void | Promise<void>;
  /** How the agent chooses among candidate answers (default: Thompson sampling, i.e. learning). */
  chooser?: ResponseChooser;
  /** How long a call waits after hang-up for late events before it is counted (engine default). */
  finalizeSettleMs?: number;
}

/**
 * Builds call handling: seeds the playbook, creates the carrier (Telnyx, or the simulator) and
 * everything that reacts to calls. Nothing runs in the background until `start`, so the HTTP
 * routes can be built on a complete runtime before the server listens.
 */
export async function createVoiceRuntime(options: RuntimeOptions): Promise<VoiceRuntime> {
  const { env, stores, registry, logger } = options;
  const metrics = createCallMetrics(registry, {
    activeCalls: () => stores.state.countActive(),
    capacity: env.CALL_CAPACITY,
  });
  const agent = new Agent(
    loadPlaybook(),
    stores.graph,
    stores.vectors,
    options.embedder,
    options.chooser ?? new ThompsonSamplingChooser(new Rng('thompson', process.pid, Date.now())),
  );
  const seeded = await agent.seed();
  logger.info({ playbook: agent.playbook.version, embedder: options.embedder.name, ...seeded }, 'playbook loaded');

  const carrier = env.TELNYX_API_KEY ? null : await startSimulatedCarrier(options);
  const commands: CallCommands = new TelnyxCallCommands({
    apiKey: env.TELNYX_API_KEY ?? carrier!.apiKey,
    baseURL: carrier ? `${carrier.sim.url}/v2` : env.TELNYX_BASE_URL,
    connectionId: env.TELNYX_CONNECTION_ID ?? SIMULATED_CONNECTION,
    metrics: { duration: metrics.commandDuration, errors: metrics.commandErrors },
  });
  const verifier = new WebhookVerifier(env.TELNYX_PUBLIC_KEY ?? carrier!.sim.publicKeyBase64);

  const engine = new CallEngine(
    { stores, commands, agent, metrics, logger, onFinalized: options.onFinalized },
    { finalizeSettleMs: options.finalizeSettleMs },
  );
  const dialer = new Dialer(
    { stores, commands, engine, metrics, logger },
    {
      ratePerSecond: env.DIAL_RATE_PER_SECOND,
      capacity: env.CALL_CAPACITY,
      answeringMachineDetection: env.ANSWERING_MACHINE_DETECTION,
    },
  );
  const sweeper = new RecoverySweeper({ stores, engine, logger });
  const beastMode = new BeastModeTracker({ stores, registry, logger }, beastModeOptions(env));
  const defaultFrom = env.TELNYX_FROM_NUMBER ?? (carrier ? SIMULATED_FROM : null);

  const runtime: VoiceRuntime = {
    mode: carrier ? 'simulation' : 'telnyx',
    metrics,
    beastMode,
    engine,
    dialer,
    verifier,
    agent,
    defaultFrom,
    carrier: carrier?.sim ?? null,
    traffic: null,
    start(publicUrl) {
      carrier?.sim.setWebhookUrl(`${publicUrl}/telnyx/webhooks`);
      dialer.start();
      sweeper.start();
      beastMode.start();
      if (carrier && options.trickle !== false && env.SIMULATION_CALLS_PER_MINUTE > 0) {
        runtime.traffic = new SimulatedTraffic(
          { carrier: carrier.sim, dialer, from: defaultFrom!, logger },
          env.SIMULATION_CALLS_PER_MINUTE,
        );
        runtime.traffic.start();
      }
      if (carrier) {
        logger.warn(
          { carrier: carrier.sim.url, callsPerMinute: runtime.traffic ? env.SIMULATION_CALLS_PER_MINUTE : 0 },
          'SIMULATION MODE: TELNYX_API_KEY is unset, so the built-in simulated carrier handles calls; all calls are simulated',
        );
      }
    },
    /** Stops taking new work, lets what is in flight finish (bounded), then stops. */
    async close(drainMs = 10_000) {
      runtime.traffic?.stop();
      // The simulated carrier would keep calls (and webhooks) coming: stop it first.
      await carrier?.sim.close();
      await dialer.stop();
      await sweeper.stop();
      await beastMode.stop();
      // Parked events (waiting for an earlier event of their call) are durable in the inbox: stop
      // their retries first, so the drain waits only for what is applying and for ended calls
      // to finalize.
      engine.stopRetries();
      const drained = await Promise.race([
        engine.idle().then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), drainMs).unref()),
      ]);
      // Whatever did not finish stays in the inbox: the recovery sweep of any replica applies it.
      if (!drained) logger.warn({ drainMs }, 'call events still in flight at shutdown; left to the recovery sweep');
      engine.stop();
    },
  };
  return runtime;
}

const SIMULATED_CONNECTION = 'simulated-call-control-app';
const SIMULATED_FROM = '+15550100000';

/** The built-in carrier; it learns where to send webhooks when the runtime starts. */
async function startSimulatedCarrier(options: RuntimeOptions) {
  const apiKey = `KEYsim_${randomBytes(16).toString('hex')}`;
  const sim = await simulator.createCarrierSimulator({
    seed: options.env.SIMULATION_SEED || Date.now() % 1_000_000,
    ...options.simulator,
    apiKey,
    webhookUrl: 'http://127.0.0.1:9/not-started',
    connectionId: SIMULATED_CONNECTION,
  });
  return { sim, apiKey };
}
