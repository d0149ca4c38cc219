import { createHash } from 'node:crypto';

/**
 * Namespace of access-log event ids. Changing it changes every id, so a re-import after the change
 * would count every download twice.
 */
export const ACCESS_LOG_EVENT_ID_NAMESPACE = '6f1d2c3a-8b4e-4f5a-9c7d-0e1f2a3b4c5d';

/**
 * Derives the event id of a log line: a name-based UUID (RFC 9562 version 5, SHA-1) over the line
 * text and its occurrence number. The same file imported again yields the same ids, which the
 * platform stores only once, while identical lines within one file still get distinct ids.
 *
 * @param line the raw line without its line terminator
 * @param occurrence how many identical lines came before this one in the file (0 for the first)
 */
export function accessLogEventId(line: string, occurrence: number): string {
  return uuidV5(ACCESS_LOG_EVENT_ID_NAMESPACE, `${line}\n${occurrence}`);
}

/** Computes a version 5 UUID of `name` (UTF-8) in `namespace`, as RFC 9562 section 5.5 defines. */
export function uuidV5(namespace: string, name: string): string {
  const namespaceBytes = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (namespaceBytes.length !== 16) {
    throw new Error(`invalid namespace UUID "${namespace}": expected 32 hex digits`);
  }

  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 9562 variant

  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Counts how often each line text has occurred so far. Lines are kept as SHA-1 digests (20 bytes)
 * rather than as text, to bound the memory per distinct line.
 *
 * NOTE: memory still grows with the number of distinct lines counted, at roughly 100 bytes each
 * (an estimate of V8 string and Map entry overhead), so count only the lines that become events.
 */
export class LineOccurrenceCounter {
  private readonly seen = new Map<string, number>();

  /** Returns the occurrence number of `line` (0 the first time) and counts it. */
  next(line: string): number {
    const key = createHash('sha1').update(line, 'utf8').digest('base64');
    const occurrence = this.seen.get(key) ?? 0;
    this.seen.set(key, occurrence + 1);
    return occurrence;
  }

  /** Number of distinct lines counted. */
  get size(): number {
    return this.seen.size;
  }
}
