import { Registry } from 'prom-client';
import type { ArmStats } from '../domain';
import type { LearningGraph } from '../ports';
import { Agent, type AgentLine } from '../conversation/agent';
import { ThompsonSamplingChooser, UniformRandomChooser, type ResponseChooser } from '../conversation/chooser';
import { HashedNgramEmbedder, type Embedder } from '../conversation/embedder';
import { loadPlaybook, type Playbook } from '../conversation/playbook';
import {
  appeal,
  conversionProbability,
  createProspect,
  OBJECTION_KINDS,
  type ObjectionKind,
  type ProspectAnswer,
  type ProspectProfile,
} from '../simulator';
import { openStores } from '../stores';
import { percentiles, type Percentiles } from '../util/percentiles';
import { Rng } from '../util/rng';
import { beastModeScores, type BeastModeScores } from './beast-mode';

/**
 * Learning evaluation: the same seeded prospects meet three policies that share everything but
 * the response chooser — the learning policy (Thompson sampling over the learned graph), a
 * uniformly random one, and the oracle that knows the prospects' hidden preferences. Each runs
 * on its own fresh stores through the real Agent (embedder → vector store → learning graph).
 * Calls are conversations without the telephony round trips (`voice-agent simulate` covers those).
 */
export interface LearnEvalOptions {
  calls: number;
  seed: number;
  /** Calls per reported window. */
  window: number;
  embedder?: Embedder;
  onProgress?: (done: number, total: number) => void;
}

export interface PolicyWindow {
  from: number;
  to: number;
  policy: number;
  random: number;
  oracle: number;
}

export interface LearnEvalResult {
  seed: number;
  calls: number;
  window: number;
  windows: PolicyWindow[];
  policy_last500: number;
  random_last500: number;
  oracle_last500: number;
  /** (policy − random) / (oracle − random) over the last 500 calls: 0 = random, 1 = oracle. */
  policy_gap_closed_last500: number;
  /** Share of prospect utterances whose intent the agent understood correctly (learning policy run). */
  understanding_accuracy: number;
  /** Share of calls whose outcome the agent perceived correctly from the verdict (what it credits). */
  outcome_perception_accuracy: number;
  beast_mode_end: BeastModeScores;
  /** Time of one Agent.reply (embed → nearest intent → choose) on the embedded stores, in ms. */
  turn_ms: Percentiles;
  elapsed_ms: number;
}

interface CallResult {
  converted: boolean;
  perceived: boolean;
  understood: number;
  utterances: number;
}

/** Picks what the prospect would like best: the upper bound learning converges towards. */
export class OracleChooser implements ResponseChooser {
  readonly name = 'oracle';
  private readonly texts: Map<string, string>;

  constructor(
    playbook: Playbook,
    private readonly seed: number,
  ) {
    this.texts = new Map(playbook.intents.flatMap((i) => i.responses ?? []).map((r) => [r.id, r.text]));
  }

  choose(decisionPoint: string, arms: readonly ArmStats[]): string {
    if (!(OBJECTION_KINDS as readonly string[]).includes(decisionPoint)) return arms[0]!.responseId;
    const kind = decisionPoint as ObjectionKind;
    const score = (a: ArmStats) => appeal(this.seed, kind, this.texts.get(a.responseId) ?? '');
    return arms.reduce((best, a) => (score(a) > score(best) ? a : best)).responseId;
  }
}

export async function runLearnEval(options: LearnEvalOptions): Promise<LearnEvalResult> {
  const started = performance.now();
  const playbook = loadPlaybook();
  const embedder = options.embedder ?? new HashedNgramEmbedder();
  const choosers: Record<'policy' | 'random' | 'oracle', ResponseChooser> = {
    policy: new ThompsonSamplingChooser(new Rng('thompson', options.seed)),
    random: new UniformRandomChooser(new Rng('uniform', options.seed)),
    oracle: new OracleChooser(playbook, options.seed),
  };
  const runs = await Promise.all(
    Object.entries(choosers).map(async ([name, chooser]) => {
      const stores = await openStores({ dataDir: null }, new Registry());
      // No arms cache: calls here follow each other within milliseconds.
      const agent = new Agent(playbook, stores.graph, stores.vectors, embedder, chooser, { armsCacheMs: 0 });
      await agent.seed();
      return { name, stores, agent, results: [] as CallResult[], timings: [] as number[] };
    }),
  );
  try {
    const prospects = Array.from({ length: options.calls }, (_, i) =>
      createProspect(options.seed, `learn-eval#${i}`, 'inbound'),
    );
    for (const [i, prospect] of prospects.entries()) {
      for (const run of runs) {
        run.results.push(await converse(run.agent, run.stores.graph, prospect, `call-${i}`, options.seed, run.timings));
      }
      if ((i + 1) % 100 === 0 || i + 1 === options.calls) options.onProgress?.(i + 1, options.calls);
    }
    const [policy, random, oracle] = runs;
    const rate = (results: CallResult[], from: number, to: number) => {
      const slice = results.slice(from, to);
      return slice.length === 0 ? 0 : round3(slice.filter((r) => r.converted).length / slice.length);
    };
    const windows: PolicyWindow[] = [];
    for (let from = 0; from < options.calls; from += options.window) {
      const to = Math.min(options.calls, from + options.window);
      windows.push({
        from,
        to,
        policy: rate(policy!.results, from, to),
        random: rate(random!.results, from, to),
        oracle: rate(oracle!.results, from, to),
      });
    }
    const last = Math.max(0, options.calls - 500);
    const p = rate(policy!.results, last, options.calls);
    const r = rate(random!.results, last, options.calls);
    const o = rate(oracle!.results, last, options.calls);
    const utterances = policy!.results.reduce((n, c) => n + c.utterances, 0);
    return {
      seed: options.seed,
      calls: options.calls,
      window: options.window,
      windows,
      policy_last500: p,
      random_last500: r,
      oracle_last500: o,
      policy_gap_closed_last500: o === r ? 0 : round3((p - r) / (o - r)),
      understanding_accuracy: round3(policy!.results.reduce((n, c) => n + c.understood, 0) / Math.max(1, utterances)),
      outcome_perception_accuracy: round3(
        policy!.results.filter((c) => c.perceived === c.converted).length / options.calls,
      ),
      beast_mode_end: beastModeScores(
        await policy!.stores.graph.snapshot(),
        policy!.results
          .slice(-200)
          .reverse()
          .map((c) => ({
            outcome: c.converted ? ('converted' as const) : ('not_converted' as const),
            answeredAt: 'yes',
          })),
      ),
      turn_ms: percentiles(policy!.timings, 3),
      elapsed_ms: Math.round(performance.now() - started),
    };
  } finally {
    await Promise.all(runs.map((run) => run.stores.close()));
  }
}

/** One conversation: the agent opens, answers the prospect's objections, hears the verdict, learns. */
async function converse(
  agent: Agent,
  graph: LearningGraph,
  prospect: ProspectProfile,
  callId: string,
  seed: number,
  timings: number[],
): Promise<CallResult> {
  const pairs: { objectionId: string; responseId: string }[] = [];
  const said = (line: AgentLine) => {
    if (line.decisionPoint) pairs.push({ objectionId: line.decisionPoint, responseId: line.responseId });
  };
  let prospectTurns = 0;
  const reply = async (text: string, objectionsHeard: number) => {
    const t0 = performance.now();
    const r = await agent.reply(text, { objectionsHeard, prospectTurns });
    prospectTurns += 1;
    timings.push(performance.now() - t0);
    said(r.line);
    return r;
  };

  said(await agent.line('opening'));
  let understood = (await reply(prospect.opening, 0)).intent?.kind === 'greeting' ? 1 : 0;
  const answers: ProspectAnswer[] = [];
  for (const [i, kind] of prospect.objections.entries()) {
    const r = await reply(prospect.objectionLines[i]!, i);
    if (r.intent?.intentId === kind) understood += 1;
    answers.push({ kind, text: r.line.text });
  }
  const converted = prospect.decisionDraw < conversionProbability(seed, answers);
  const verdict = await reply(converted ? prospect.verdictYes : prospect.verdictNo, prospect.objections.length);
  if (verdict.verdict === (converted ? 'converted' : 'not_converted')) understood += 1;
  const perceived = verdict.verdict === 'converted';
  await graph.credit(callId, pairs, perceived);
  return { converted, perceived, understood, utterances: prospect.objections.length + 2 };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
