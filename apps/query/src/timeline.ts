import { formatIsoInstant } from '@gallery/contract';
import { ListQuery } from './query-params';
import { bucketStart, nextBucketStart } from './time-zones';

/**
 * Lists every bucket start of the timeline, in Unix ms: from the bucket of `from` (or of the first
 * event) to the bucket holding `to` minus one millisecond (or the last event). Empty when there is
 * neither a range nor any event.
 */
export function bucketStarts(query: ListQuery, firstEventMs: number | null, lastEventMs: number | null): number[] {
  const start = query.fromMs ?? firstEventMs;
  const endExclusive = query.toMs ?? (lastEventMs === null ? null : lastEventMs + 1);
  if (start === null || endExclusive === null || start >= endExclusive) return [];

  const starts: number[] = [];
  for (let bucket = bucketStart(start, query.interval, query.timeZone); bucket < endExclusive; bucket = nextBucketStart(bucket, query.interval, query.timeZone)) {
    starts.push(bucket);
  }
  return starts;
}

/**
 * Lays rows keyed by bucket start (Unix seconds, as ClickHouse returns them) over the full list of
 * buckets, so empty buckets appear with zeros.
 */
export function fillTimeline<Row extends { bucket_start: string }, Out>(
  starts: number[],
  rows: Row[],
  toBucket: (row: Row | undefined) => Out,
): Array<{ bucket_start: string } & Out> {
  const bySecond = new Map(rows.map((row) => [Number(row.bucket_start) * 1000, row]));
  return starts.map((start) => ({ bucket_start: formatIsoInstant(start), ...toBucket(bySecond.get(start)) }));
}
