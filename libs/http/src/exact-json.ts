import { randomBytes } from 'node:crypto';

// A per-process random marker, so no string from user data can be mistaken for one.
const MARKER = `\u0000bigint-${randomBytes(8).toString('hex')}:`;
const MARKER_PATTERN = new RegExp(`"${JSON.stringify(MARKER).slice(1, -1).replace(/\\/g, '\\\\')}(-?\\d+)"`, 'g');

/**
 * Serializes like JSON.stringify, except that bigint values are written as plain JSON numbers with
 * every digit. Counters and byte sums above 2^53 thus stay exact in the response text.
 */
export function stringifyExact(value: unknown): string {
  const text = JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? `${MARKER}${item.toString()}` : item));
  return text.replace(MARKER_PATTERN, '$1');
}

/**
 * Converts a ClickHouse UInt64/Int64 (a decimal string in JSON output) to a number when it is
 * exactly representable, otherwise to a bigint that {@link stringifyExact} writes in full.
 */
export function exactInteger(value: string | number): number | bigint {
  if (typeof value === 'number') return value;
  const asNumber = Number(value);
  return Number.isSafeInteger(asNumber) ? asNumber : BigInt(value);
}
