import { bucketsBetween, histogramBuckets, ingestShares, shareWithin } from './app-histograms';

/** Builds a metrics page as prom-client writes it, with the ingest histograms at given cumulative counts. */
function page(requests: [number, number, number], acks: [number, number, number]): string {
  const series = (name: string, labels: string, [within25, within50, all]: [number, number, number]) =>
    [
      `# TYPE ${name} histogram`,
      `${name}_bucket{le="0.01",${labels}} ${Math.min(within25, 1)}`,
      `${name}_bucket{le="0.025",${labels}} ${within25}`,
      `${name}_bucket{le="0.05",${labels}} ${within50}`,
      `${name}_bucket{le="+Inf",${labels}} ${all}`,
      `${name}_sum{${labels}} 1.5`,
      `${name}_count{${labels}} ${all}`,
    ].join('\n');
  return [
    series('http_request_duration_seconds', 'method="POST",route="/api/v1/events",status_code="202"', requests),
    // Another route and another status must not count.
    series('http_request_duration_seconds', 'method="GET",route="/health",status_code="200"', [500, 500, 500]),
    series('http_request_duration_seconds', 'method="POST",route="/api/v1/events",status_code="400"', [7, 7, 7]),
    series('ingest_publish_duration_seconds', 'outcome="acked"', acks),
    series('ingest_publish_duration_seconds', 'outcome="failed"', [0, 0, 3]),
  ].join('\n');
}

describe('app histograms', () => {
  it('reads the buckets of the matching series only', () => {
    const buckets = histogramBuckets(page([90, 98, 100], [95, 99, 100]), 'http_request_duration_seconds', { method: 'POST', route: '/api/v1/events', status_code: '202' });
    expect([...buckets]).toEqual([
      [0.01, 1],
      [0.025, 90],
      [0.05, 98],
      [Infinity, 100],
    ]);
  });

  it('sums series that differ only in labels left out of the filter', () => {
    const buckets = histogramBuckets(page([90, 98, 100], [95, 99, 100]), 'http_request_duration_seconds', { method: 'POST' });
    expect(buckets.get(Infinity)).toBe(107);
  });

  it('gives an empty map for a histogram the page lacks', () => {
    expect(histogramBuckets(page([1, 1, 1], [1, 1, 1]), 'no_such_seconds', {}).size).toBe(0);
  });

  it('computes the shares of a phase from two readings', () => {
    const shares = ingestShares(page([90, 98, 100], [95, 99, 100]), page([170, 190, 200], [185, 197, 200]));
    expect(shares).toEqual({ requests: 100, app_within_25_ms: 0.8, app_within_50_ms: 0.92, kafka_ack_within_25_ms: 0.9, kafka_ack_within_50_ms: 0.98 });
  });

  it('handles empty phases and unknown bounds', () => {
    const none = bucketsBetween(new Map([[Infinity, 4]]), new Map([[Infinity, 4]]));
    expect(shareWithin(none, 0.025)).toBeUndefined();
    expect(() => shareWithin(new Map([[Infinity, 4]]), 0.025)).toThrow('no bucket bound at 0.025 s');
  });
});
