/**
 * Reads latency histograms from an app's Prometheus page, so the benchmark can compare the
 * latency its load generator measures with the latency the app measured itself, and with the part of
 * it spent waiting for Kafka.
 */

/** Cumulative counts of one histogram series by upper bound in seconds; `Infinity` is the +Inf bucket. */
export type Buckets = Map<number, number>;

const BUCKET_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)_bucket\{([^}]*)\} (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/**
 * Returns the buckets of histogram `name` whose labels include every entry of `labels`, summed
 * over the series that match. A histogram the page lacks gives an empty map.
 */
export function histogramBuckets(page: string, name: string, labels: Record<string, string>): Buckets {
  const buckets: Buckets = new Map();
  for (const line of page.split('\n')) {
    const match = BUCKET_LINE.exec(line);
    if (!match || match[1] !== name) continue;
    const found = new Map([...match[2].matchAll(LABEL)].map((label) => [label[1], label[2]]));
    if (!Object.entries(labels).every(([key, value]) => found.get(key) === value)) continue;
    const le = found.get('le');
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(match[3]));
  }
  return buckets;
}

/** Counts observed between two readings of the same histogram. */
export function bucketsBetween(before: Buckets, after: Buckets): Buckets {
  return new Map([...after].map(([bound, count]) => [bound, count - (before.get(bound) ?? 0)]));
}

/** Share of observations at or under `seconds`, a bucket bound; `undefined` when nothing was observed. */
export function shareWithin(buckets: Buckets, seconds: number): number | undefined {
  const total = buckets.get(Infinity) ?? 0;
  if (total === 0) return undefined;
  const within = buckets.get(seconds);
  if (within === undefined) throw new Error(`the histogram has no bucket bound at ${seconds} s`);
  return within / total;
}

/** Fetches an app's metrics page. */
export async function readMetrics(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/metrics`);
  if (response.status !== 200) throw new Error(`GET ${baseUrl}/metrics returned status ${response.status}`);
  return response.text();
}

/** The two ingest histograms the benchmark reads: whole requests, and the wait for Kafka. */
export const INGEST_REQUESTS = { name: 'http_request_duration_seconds', labels: { method: 'POST', route: '/api/v1/events', status_code: '202' } };
export const INGEST_KAFKA_ACKS = { name: 'ingest_publish_duration_seconds', labels: { outcome: 'acked' } };

/**
 * Shares of ingest requests within 25 ms and 50 ms during a phase, as the ingest app measured them
 * (from receiving the request to sending the response) and for the wait for Kafka alone.
 */
export function ingestShares(before: string, after: string) {
  const requests = bucketsBetween(histogramBuckets(before, INGEST_REQUESTS.name, INGEST_REQUESTS.labels), histogramBuckets(after, INGEST_REQUESTS.name, INGEST_REQUESTS.labels));
  const acks = bucketsBetween(histogramBuckets(before, INGEST_KAFKA_ACKS.name, INGEST_KAFKA_ACKS.labels), histogramBuckets(after, INGEST_KAFKA_ACKS.name, INGEST_KAFKA_ACKS.labels));
  return {
    requests: requests.get(Infinity) ?? 0,
    app_within_25_ms: shareWithin(requests, 0.025),
    app_within_50_ms: shareWithin(requests, 0.05),
    kafka_ack_within_25_ms: shareWithin(acks, 0.025),
    kafka_ack_within_50_ms: shareWithin(acks, 0.05),
  };
}
