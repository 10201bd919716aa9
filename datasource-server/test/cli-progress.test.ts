import { formatProgress } from '../src/cli/progress';

describe('progress line', () => {
  it('shows count, rate and the time left at that rate', () => {
    const line = formatProgress('simulate', 10, 50, 5_000);
    expect(line).toContain('10/50 (20%)');
    expect(line).toContain('2.0/s');
    expect(line).toContain('ETA 20s');
  });

  it('says minutes past a minute, and done at the end', () => {
    expect(formatProgress('simulate', 1, 200, 2_000)).toContain('ETA 6m38s');
    expect(formatProgress('simulate', 50, 50, 9_000)).toMatch(/50\/50 \(100%\) 5\.6\/s done$/);
  });

  it('has no ETA before the first call ends', () => {
    expect(formatProgress('simulate', 0, 50, 1_000)).toContain('0.0/s ETA …');
  });
});
