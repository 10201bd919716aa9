import { z } from 'zod';
import type { ResponseNode } from '../domain';
import playbookV1 from './playbook.v1.json';

/**
 * The playbook is data: intents (objections, greeting, agree, decline) with example utterances
 * and candidate responses, plus the lines of each conversation step. Versioned; loaded into the
 * stores idempotently by `voice-agent seed` and at start-up.
 */
const line = z.object({ id: z.string().regex(/^[a-z0-9-]+$/), text: z.string().min(1) });

export const INTENT_KINDS = ['objection', 'greeting', 'agree', 'decline'] as const;

const intent = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+$/),
    kind: z.enum(INTENT_KINDS),
    label: z.string().min(1),
    examples: z.array(z.string().min(1)).min(3),
    responses: z.array(line).min(2).optional(),
  })
  .refine((i) => (i.kind === 'objection') === (i.responses !== undefined), {
    message: 'objections, and only objections, have candidate responses',
  });

export const playbookSchema = z
  .object({
    version: z.string().min(1),
    description: z.string().optional(),
    intents: z.array(intent).min(1),
    lines: z.object({
      opening: z.array(line).min(1),
      discovery: z.array(line).min(1),
      closing: z.array(line).min(1),
      farewell: z.array(line).min(1),
      voicemail: z.array(line).min(1),
      fallback: z.array(line).min(1),
    }),
  })
  .superRefine((p, ctx) => {
    const ids = [...p.intents.flatMap((i) => i.responses ?? []), ...Object.values(p.lines).flat()].map((l) => l.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `line id "${dup}" is used twice` });
  });

export type Playbook = z.infer<typeof playbookSchema>;
export type Intent = Playbook['intents'][number];
export type IntentKind = (typeof INTENT_KINDS)[number];
export type LineSlot = keyof Playbook['lines'];

/**
 * Decision points the agent learns at: each objection, plus the opening and discovery lines.
 * Closing, farewell, voicemail and fallback lines are said once the outcome is known (or is
 * irrelevant), so learning them would only fit noise.
 */
export const LEARNED_SLOTS = ['opening', 'discovery'] as const;
export type LearnedSlot = (typeof LEARNED_SLOTS)[number];

/** Whether a decision point is one of the prospect's objections (not our opening or discovery line). */
export function isObjectionPoint(decisionPoint: string): boolean {
  return !(LEARNED_SLOTS as readonly string[]).includes(decisionPoint);
}

export function loadPlaybook(raw: unknown = playbookV1): Playbook {
  const parsed = playbookSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid playbook: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Every candidate the learning graph holds, by decision point, with its Beast Mode skill. */
export function decisionPoints(playbook: Playbook): { id: string; label: string; candidates: ResponseNode[] }[] {
  const objections = playbook.intents
    .filter((i) => i.kind === 'objection')
    .map((i) => ({
      id: i.id,
      label: i.label,
      candidates: (i.responses ?? []).map((r) => ({ ...r, skill: 'objection_handling' as const })),
    }));
  const steps = LEARNED_SLOTS.map((slot) => ({
    id: slot,
    label: `${slot[0]!.toUpperCase()}${slot.slice(1)} line`,
    candidates: playbook.lines[slot].map((l) => ({ ...l, skill: slot })),
  }));
  return [...steps, ...objections];
}
