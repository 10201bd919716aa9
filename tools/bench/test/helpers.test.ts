import { histogram, histogramDelta, parsePrometheus, quantileMs, sumOf } from '../src/support/prometheus';
import { percentiles, ratio, slope } from '../src/support/stats';

describe('bench statistics', () => {
  test('nearest-rank percentiles', () => {
    const p = percentiles(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(p).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });

  test('least-squares slope: flat, rising, too few points', () => {
    expect(slope([1, 2, 3, 4].map((x) => ({ x, y: 7 })))).toBe(0);
    expect(slope([1, 2, 3, 4].map((x) => ({ x, y: 3 * x + 1 })))).toBeCloseTo(3);
    expect(slope([{ x: 1, y: 5 }])).toBe(0);
  });

  test('ratio is null when the baseline is 0', () => {
    expect(ratio(50, 200)).toBe(0.25);
    expect(ratio(50, 0)).toBeNull();
  });
});

describe('Prometheus text parsing', () => {
  const text = [
    '# HELP voice_webhook_duration_seconds x',
    '# TYPE voice_webhook_duration_seconds histogram',
    'voice_webhook_duration_seconds_bucket{le="0.01",event_type="a",service="voice-agent-api"} 50',
    'voice_webhook_duration_seconds_bucket{le="0.1",event_type="a",service="voice-agent-api"} 90',
    'voice_webhook_duration_seconds_bucket{le="+Inf",event_type="a",service="voice-agent-api"} 100',
    'voice_webhook_duration_seconds_sum{event_type="a",service="voice-agent-api"} 3',
    'voice_webhook_duration_seconds_count{event_type="a",service="voice-agent-api"} 100',
    'nodejs_eventloop_lag_p99_seconds{service="voice-agent-api"} 0.0123',
  ].join('\n');

  test('samples with labels', () => {
    const s = parsePrometheus(text);
    expect(sumOf(s, 'nodejs_eventloop_lag_p99_seconds')).toBeCloseTo(0.0123);
    expect(s.find((x) => x.labels.le === '+Inf')?.value).toBe(100);
  });

  test('histogram quantiles interpolate within the bucket, over several replicas and windows', () => {
    const h = histogram([parsePrometheus(text), parsePrometheus(text)], 'voice_webhook_duration_seconds');
    expect(h.count).toBe(200);
    expect(quantileMs(h, 0.5)).toBeCloseTo(10); // exactly the first bucket's bound
    expect(quantileMs(h, 0.7)).toBeCloseTo(10 + 90 * (40 / 80)); // halfway into (10, 100] ms
    const none = histogramDelta(h, h);
    expect(none.count).toBe(0);
    expect(quantileMs(none, 0.5)).toBeNull();
  });
});
