import { exactInteger } from '@gallery/http';

/** Converts a nullable ClickHouse integer (a decimal string in JSON output) to an exact JSON integer or null. */
export function nullableInteger(value: string | number | null): number | bigint | null {
  return value === null ? null : exactInteger(value);
}
