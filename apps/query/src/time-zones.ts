/**
 * Calendar arithmetic in IANA time zones with the ICU data built into Node.js. Timeline buckets
 * computed here must line up with ClickHouse's toStartOfDay/toMonday/toStartOfMonth/toStartOfHour
 * in the same zone, which tests check against the server.
 */

const FORMATTERS = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = FORMATTERS.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    FORMATTERS.set(timeZone, cached);
  }
  return cached;
}

/** Returns true when the zone name is in Node.js's time-zone data. */
export function isKnownTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function toLocal(utcMs: number, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(new Date(utcMs))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Offset of the zone from UTC at an instant, in milliseconds (positive east of Greenwich). */
export function offsetMs(utcMs: number, timeZone: string): number {
  const local = toLocal(utcMs, timeZone);
  const asUtc = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * Converts a local wall-clock time to the UTC instant. A time repeated when clocks go back
 * resolves to its first occurrence.
 * NOTE: a time skipped when clocks go forward resolves to a nearby instant that is not checked
 * against ClickHouse. This matters only in zones that skip midnight.
 */
export function fromLocal(year: number, month: number, day: number, hour: number, timeZone: string): number {
  const wall = Date.UTC(year, month - 1, day, hour);
  // The offsets a day before and a day after cover both sides of any DST change near `wall`.
  const candidates = [wall - offsetMs(wall - 86_400_000, timeZone), wall - offsetMs(wall + 86_400_000, timeZone)].sort((a, b) => a - b);
  for (const candidate of candidates) {
    const local = toLocal(candidate, timeZone);
    if (Date.UTC(local.year, local.month - 1, local.day, local.hour) === wall) return candidate;
  }
  return candidates[1];
}

export type Interval = 'hour' | 'day' | 'week' | 'month';
export const INTERVALS: readonly Interval[] = ['hour', 'day', 'week', 'month'];

/** Start of the bucket containing `utcMs`, as ClickHouse computes it in the same zone. */
export function bucketStart(utcMs: number, interval: Interval, timeZone: string): number {
  const local = toLocal(utcMs, timeZone);
  switch (interval) {
    case 'hour':
      return Math.floor(utcMs / 1000) * 1000 - (local.minute * 60 + local.second) * 1000;
    case 'day':
      return fromLocal(local.year, local.month, local.day, 0, timeZone);
    case 'week': {
      const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
      const monday = new Date(Date.UTC(local.year, local.month - 1, local.day - ((weekday + 6) % 7)));
      return fromLocal(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate(), 0, timeZone);
    }
    case 'month':
      return fromLocal(local.year, local.month, 1, 0, timeZone);
  }
}

/** Returns the start of the bucket after the one starting at `start`. */
export function nextBucketStart(start: number, interval: Interval, timeZone: string): number {
  if (interval === 'hour') {
    // Local hours are whole UTC hours or half/quarter hours apart; stepping 15 minutes at a time
    // finds the next local hour boundary in every zone.
    let probe = start + 15 * 60_000;
    while (bucketStart(probe, 'hour', timeZone) === start) probe += 15 * 60_000;
    return bucketStart(probe, 'hour', timeZone);
  }
  const local = toLocal(start, timeZone);
  if (interval === 'day') return fromLocal(local.year, local.month, local.day + 1, 0, timeZone);
  if (interval === 'week') return fromLocal(local.year, local.month, local.day + 7, 0, timeZone);
  return fromLocal(local.year, local.month + 1, 1, 0, timeZone);
}

/** ClickHouse expression for the bucket start of `column` as Unix seconds. */
export function bucketSql(column: string, interval: Interval, timeZoneLiteral: string): string {
  switch (interval) {
    case 'hour':
      return `toUInt32(toStartOfHour(${column}, ${timeZoneLiteral}))`;
    case 'day':
      return `toUInt32(toStartOfDay(${column}, ${timeZoneLiteral}))`;
    case 'week':
      return `toUInt32(toDateTime(toMonday(${column}, ${timeZoneLiteral}), ${timeZoneLiteral}))`;
    case 'month':
      return `toUInt32(toDateTime(toStartOfMonth(${column}, ${timeZoneLiteral}), ${timeZoneLiteral}))`;
  }
}
