import { runLearnEval } from '@mwva/voice-core';

/** A statistical test with a fixed seed: deterministic, so not flaky; it fails if learning stops working. */
describe('learning evaluation (fixed seed)', () => {
  it('learns: well above random by the last 500 of 1500 calls, and the oracle bounds both', async () => {
    const result = await runLearnEval({ calls: 1500, seed: 20261125, window: 500 });
    expect(result.windows).toHaveLength(3);
    for (const w of result.windows) {
      // Same prospects, same hidden draws: the oracle's answers are never worse than random's.
      expect(w.oracle).toBeGreaterThanOrEqual(w.random);
    }
    expect(result.policy_last500).toBeGreaterThan(result.random_last500 + 0.05);
    expect(result.policy_last500).toBeLessThanOrEqual(result.oracle_last500 + 0.03);
    // Learning improves over time.
    expect(result.windows[2]!.policy).toBeGreaterThan(result.windows[0]!.policy);
    expect(result.understanding_accuracy).toBeGreaterThan(0.7);
  }, 180_000);
});
