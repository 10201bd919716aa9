import {
  beastModeScores,
  DEFAULT_BEAST_MODE,
  exploitProbability,
  isBeastMode,
  mastery,
  type ArmStats,
  type LearningGraphSnapshot,
} from '@mwva/voice-core';

const arm = (objectionId: string, responseId: string, wins: number, trials: number): ArmStats => ({
  objectionId,
  responseId,
  wins,
  trials,
});

function graph(arms: ArmStats[]): LearningGraphSnapshot {
  const skill = (o: string) => (o === 'opening' || o === 'discovery' ? o : 'objection_handling');
  return {
    objections: [...new Set(arms.map((a) => a.objectionId))].map((id) => ({ id, label: id })),
    responses: arms.map((a) => ({ id: a.responseId, text: a.responseId, skill: skill(a.objectionId) as 'opening' })),
    arms,
  };
}

describe('Beast Mode formula', () => {
  it('is 0 everywhere with nothing learned and no calls', () => {
    expect(beastModeScores(graph([]), [])).toEqual({
      opening: 0,
      discovery: 0,
      objection_handling: 0,
      closing: 0,
      overall: 0,
    });
    const untried = graph([arm('price', 'a', 0, 0), arm('price', 'b', 0, 0)]);
    expect(beastModeScores(untried, []).objection_handling).toBe(0);
  });

  it('rewards a decision point where one answer is clearly best and well tried', () => {
    const settled = [arm('price', 'a', 10, 100), arm('price', 'b', 900, 1000), arm('price', 'c', 5, 50)];
    const undecided = [arm('price', 'a', 50, 100), arm('price', 'b', 50, 100), arm('price', 'c', 50, 100)];
    expect(exploitProbability(settled)).toBeGreaterThan(0.99);
    expect(exploitProbability(undecided)).toBeLessThan(0.6);
    expect(mastery(settled)).toBeGreaterThan(0.95);
    expect(beastModeScores(graph(settled), []).objection_handling).toBeGreaterThan(95);
    expect(beastModeScores(graph(undecided), []).objection_handling).toBeLessThan(60);
  });

  it('gives little credit to a lucky streak on little evidence', () => {
    const lucky = [arm('price', 'a', 3, 3), arm('price', 'b', 0, 1)];
    expect(mastery(lucky)).toBeLessThan(0.15);
  });

  it('scores closing from recent answered conversations against the target, capped at 100', () => {
    const calls = (converted: number, lost: number, voicemail = 0) => [
      ...Array.from({ length: converted }, () => ({ outcome: 'converted' as const, answeredAt: 'x' })),
      ...Array.from({ length: lost }, () => ({ outcome: 'not_converted' as const, answeredAt: 'x' })),
      ...Array.from({ length: voicemail }, () => ({ outcome: 'voicemail' as const, answeredAt: 'x' })),
      { outcome: 'no_answer' as const, answeredAt: null },
    ];
    expect(beastModeScores(graph([]), calls(25, 75)).closing).toBe(50); // 25 % of a 50 % target
    expect(beastModeScores(graph([]), calls(25, 75, 500)).closing).toBe(50); // machines do not count
    expect(beastModeScores(graph([]), calls(90, 10)).closing).toBe(100);
    expect(beastModeScores(graph([]), calls(0, 0)).closing).toBe(0);
  });

  it('weighs the skills into the overall score', () => {
    const s = beastModeScores(graph([]), [{ outcome: 'converted', answeredAt: 'x' }]);
    expect(s.closing).toBe(100);
    expect(s.overall).toBe(25);
  });

  it('is Beast Mode only when the bar held over the last snapshots', () => {
    const snap = (minute: number, overall: number) => ({
      takenAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
      scores: { opening: 0, discovery: 0, objection_handling: 0, closing: 0, overall },
      callsLearned: 0,
    });
    const { sustain, expertBar } = DEFAULT_BEAST_MODE;
    const high = Array.from({ length: sustain }, (_, i) => snap(i + 1, expertBar + 1));
    expect(isBeastMode(high)).toBe(true);
    expect(isBeastMode(high.slice(1))).toBe(false);
    expect(isBeastMode([...high.slice(0, -1), snap(59, expertBar - 0.1)])).toBe(false);
    // Order of the input does not matter; only the newest count.
    expect(isBeastMode([snap(0, 10), ...high].reverse())).toBe(true);
  });
});
