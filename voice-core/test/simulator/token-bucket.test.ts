import { TokenBucket } from '../../src/simulator/token-bucket';

describe('dial rate limit (TokenBucket)', () => {
  afterEach(() => jest.restoreAllMocks());

  it('allows a burst, then asks to retry after whole seconds, and refills in real time', () => {
    let now = 1_000_000;
    jest.spyOn(Date, 'now').mockImplementation(() => now);
    const bucket = new TokenBucket(2, 3);
    expect([bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0]);
    expect(bucket.take()).toBe(1); // 1 token missing at 2/s: 0.5 s, rounded up to 1
    now += 500; // refills one token
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(1);
    now += 60_000; // never more than the burst
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([0, 0, 0, 1]);
  });

  it('a slow rate asks for a longer wait', () => {
    jest.spyOn(Date, 'now').mockReturnValue(5_000);
    const bucket = new TokenBucket(0.25, 1);
    expect(bucket.take()).toBe(0);
    expect(bucket.take()).toBe(4);
  });
});
