import type { ArmStats } from '../domain';
import type { LearningGraph, VectorStore } from '../ports';
import type { ResponseChooser } from './chooser';
import type { Embedder } from './embedder';
import { decisionPoints, type IntentKind, type LineSlot, type Playbook } from './playbook';
import { IntentRecogniser, type IntentScore } from './understanding';

export type Verdict = 'converted' | 'not_converted';

/** The objection whose answers the agent tries when the prospect says no. */
export const DECLINE_HANDLED_AS = 'not_interested';

/** What the agent says next, and why (kept in the call state for crediting and review). */
export interface AgentLine {
  text: string;
  responseId: string;
  /** The learning-graph decision point this line was chosen at; null for fixed lines. */
  decisionPoint: string | null;
}

export interface AgentReply {
  line: AgentLine;
  /** The intent understood, or null when unrecognised (then `line` is the fallback). */
  intent: IntentScore | null;
  /** Set when the prospect agreed or declined (a refusal stays open to a later yes). */
  verdict: Verdict | null;
  /**
   * The yes or no the words express wherever they fall in the call (the call's state decides
   * whether it counts, so that the outcome does not depend on the order turns arrive in).
   */
  stance: Verdict | null;
  /** True when the agent says its closing line and will hang up after it. */
  closes: boolean;
  /** The utterance's embedding (reused for transcript search and review). */
  embedding: number[];
  /** The nearest intent whatever its similarity (for reviewing unrecognised utterances). */
  nearest: IntentScore | null;
}

export interface ConversationContext {
  /** Objections the prospect has raised so far in this call. */
  objectionsHeard: number;
  /** Prospect turns before this one (0: this is the reply to our opening). */
  prospectTurns: number;
  /** Who the call is with (direction and remote number): names its draws for a reproducible chooser. */
  callKey?: string;
}

export interface AgentOptions {
  /** How long arm statistics are cached per decision point (the hot path reads the graph once per window). */
  armsCacheMs?: number;
  threshold?: number;
}

/**
 * The conversation policy: understands a prospect's turn (vector store), and chooses what to
 * say through the `ResponseChooser` over the learned win/loss record (learning graph).
 */
export class Agent {
  readonly recogniser: IntentRecogniser;
  private readonly armsCache = new Map<string, { arms: ArmStats[]; until: number }>();
  private readonly texts: Map<string, string>;
  private readonly armsCacheMs: number;
  /** Set by pinLearning(): every choice reads this snapshot until the next pinLearning(). */
  private pinned: Map<string, ArmStats[]> | null = null;

  constructor(
    readonly playbook: Playbook,
    private readonly graph: LearningGraph,
    vectors: VectorStore,
    embedder: Embedder,
    readonly chooser: ResponseChooser,
    options: AgentOptions = {},
  ) {
    this.recogniser = new IntentRecogniser(playbook, vectors, embedder, options.threshold);
    this.armsCacheMs = options.armsCacheMs ?? 2000;
    this.texts = new Map(
      [...playbook.intents.flatMap((i) => i.responses ?? []), ...Object.values(playbook.lines).flat()].map((l) => [
        l.id,
        l.text,
      ]),
    );
  }

  /** Loads the playbook into the learning graph and the vector store; idempotent. */
  async seed(): Promise<{ decisionPoints: number; candidates: number; examples: number }> {
    const points = decisionPoints(this.playbook);
    for (const point of points) {
      await this.graph.upsertObjection({ id: point.id, label: point.label });
      for (const candidate of point.candidates) {
        await this.graph.upsertResponse(candidate);
        await this.graph.linkCandidate(point.id, candidate.id);
      }
    }
    const examples = await this.recogniser.seed();
    return { decisionPoints: points.length, candidates: points.reduce((n, p) => n + p.candidates.length, 0), examples };
  }

  /** A line for a conversation step: learned for opening/discovery, fixed otherwise. */
  async line(slot: LineSlot, context?: ConversationContext): Promise<AgentLine> {
    if (slot === 'opening' || slot === 'discovery') return this.choose(slot, context);
    const first = this.playbook.lines[slot][0]!;
    return { text: first.text, responseId: first.id, decisionPoint: null };
  }

  /**
   * Understands the prospect's words and answers them. Context rules out readings that make
   * no sense at that point: a greeting after objections, a yes or no to our very first line.
   * A "no" is answered like the not-interested objection (one more try, learned like any
   * answer); only a "yes" closes the call.
   */
  async reply(utterance: string, context: ConversationContext): Promise<AgentReply> {
    const understanding = await this.recogniser.understand(utterance);
    const allowed = (kind: IntentKind) => {
      if (kind === 'greeting') return context.objectionsHeard === 0;
      if (kind === 'agree' || kind === 'decline') return context.prospectTurns > 0;
      return true;
    };
    const intent = this.recogniser.pick(understanding, allowed);
    const { embedding } = understanding;
    const nearest = understanding.ranked[0] ?? null;
    const stance = stanceOf(this.recogniser.pick(understanding, () => true));
    const reply = (line: AgentLine, verdict: Verdict | null = null, closes = false): AgentReply => ({
      line,
      intent,
      verdict,
      stance,
      closes,
      embedding,
      nearest,
    });
    if (!intent) return reply(await this.line('fallback'));
    switch (intent.kind) {
      case 'objection':
        return reply(await this.choose(intent.intentId, context));
      case 'greeting':
        return reply(await this.line('discovery', context));
      case 'agree':
        return reply(await this.line('closing'), 'converted', true);
      case 'decline':
        return reply(await this.choose(DECLINE_HANDLED_AS, context), 'not_converted');
    }
  }

  /** The stance of a reply heard after the call's conversation (no answer is chosen or spoken). */
  async stance(
    utterance: string,
  ): Promise<{ stance: Verdict | null; intent: IntentScore | null; embedding: number[] }> {
    const understanding = await this.recogniser.understand(utterance);
    const intent = this.recogniser.pick(understanding, () => true);
    return { stance: stanceOf(intent), intent, embedding: understanding.embedding };
  }

  /** Forget cached statistics, e.g. after crediting a call (a pinned snapshot stays). */
  invalidate(decisionPoint?: string): void {
    if (decisionPoint) this.armsCache.delete(decisionPoint);
    else this.armsCache.clear();
  }

  /**
   * Reads every decision point's statistics now and chooses from that snapshot until it is
   * called again. A seeded simulation pins between waves of calls: what a call learns then reaches the
   * next wave, never a call of its own wave at a moment that depends on timing.
   */
  async pinLearning(): Promise<void> {
    const points = decisionPoints(this.playbook).map((p) => p.id);
    const arms = await Promise.all(points.map((id) => this.graph.getArms(id)));
    this.pinned = new Map(points.map((id, i) => [id, arms[i]!]));
  }

  async arms(decisionPoint: string): Promise<ArmStats[]> {
    const pinned = this.pinned?.get(decisionPoint);
    if (pinned) return pinned;
    const cached = this.armsCache.get(decisionPoint);
    if (cached && cached.until > Date.now()) return cached.arms;
    const arms = await this.graph.getArms(decisionPoint);
    if (this.armsCacheMs > 0) this.armsCache.set(decisionPoint, { arms, until: Date.now() + this.armsCacheMs });
    return arms;
  }

  private async choose(decisionPoint: string, context?: ConversationContext): Promise<AgentLine> {
    const arms = await this.arms(decisionPoint);
    if (arms.length === 0) throw new Error(`no candidates for "${decisionPoint}": run \`voice-agent seed\``);
    // One choice per decision point and prospect turn in a call: the key names it uniquely.
    const drawKey = context?.callKey && `${context.callKey}|${decisionPoint}|${context.prospectTurns}`;
    const responseId = this.chooser.choose(decisionPoint, arms, drawKey || undefined);
    return { text: this.texts.get(responseId) ?? responseId, responseId, decisionPoint };
  }
}

function stanceOf(intent: IntentScore | null): Verdict | null {
  if (intent?.kind === 'agree') return 'converted';
  if (intent?.kind === 'decline') return 'not_converted';
  return null;
}
