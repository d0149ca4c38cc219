import { registerDecorator, ValidationOptions } from 'class-validator';

// Accepted form: YYYY-MM-DDTHH:MM:SS, an optional fraction of one to three digits, then Z or
// ±HH:MM. Lower-case t/z and the space separator are not accepted, so every producer sends one
// canonical form. The parser reads character codes instead of matching a regular expression,
// because every event's instants are parsed several times on the way in.

const MAX_OFFSET_MINUTES = 14 * 60;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const CHAR_0 = 48;
const CHAR_DASH = 45;
const CHAR_PLUS = 43;
const CHAR_COLON = 58;
const CHAR_DOT = 46;
const CHAR_T = 84;
const CHAR_Z = 90;

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Reads the number written by `count` ASCII digits at `start`; -1 when one is not a digit. */
function digitsAt(text: string, start: number, count: number): number {
  let value = 0;
  for (let index = start; index < start + count; index++) {
    const digit = text.charCodeAt(index) - CHAR_0;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
}

/**
 * Parses an ISO-8601 instant with `Z` or a numeric offset and returns epoch milliseconds, or
 * `null` when the text is malformed or names an impossible date or time (2026-02-30, 24:00:00,
 * a leap second, an offset beyond ±14:00).
 */
export function parseIsoInstant(text: string): number | null {
  const length = text.length;
  // The shortest form is 2026-05-17T10:05:03Z, the longest 2026-05-17T10:05:03.250+02:00.
  if (length < 20 || length > 29) return null;
  if (text.charCodeAt(4) !== CHAR_DASH || text.charCodeAt(7) !== CHAR_DASH || text.charCodeAt(10) !== CHAR_T) return null;
  if (text.charCodeAt(13) !== CHAR_COLON || text.charCodeAt(16) !== CHAR_COLON) return null;
  const year = digitsAt(text, 0, 4);
  const month = digitsAt(text, 5, 2);
  const day = digitsAt(text, 8, 2);
  const hour = digitsAt(text, 11, 2);
  const minute = digitsAt(text, 14, 2);
  const second = digitsAt(text, 17, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return null;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1])) return null;

  let index = 19;
  let millis = 0;
  if (text.charCodeAt(index) === CHAR_DOT) {
    index++;
    let scale = 100;
    while (index < length && scale >= 1) {
      const digit = text.charCodeAt(index) - CHAR_0;
      if (digit < 0 || digit > 9) break;
      millis += digit * scale;
      scale /= 10;
      index++;
    }
    if (scale === 100) return null;
  }

  let offsetMinutes = 0;
  const zone = text.charCodeAt(index);
  if (zone === CHAR_Z) {
    if (index + 1 !== length) return null;
  } else if (zone === CHAR_PLUS || zone === CHAR_DASH) {
    if (index + 6 !== length || text.charCodeAt(index + 3) !== CHAR_COLON) return null;
    const offsetHours = digitsAt(text, index + 1, 2);
    const offsetMins = digitsAt(text, index + 4, 2);
    if (offsetHours < 0 || offsetMins < 0 || offsetMins > 59) return null;
    offsetMinutes = (offsetHours * 60 + offsetMins) * (zone === CHAR_DASH ? -1 : 1);
    if (Math.abs(offsetMinutes) > MAX_OFFSET_MINUTES) return null;
  } else {
    return null;
  }

  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000;
}

/** Formats epoch milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ`. */
export function formatIsoInstant(epochMillis: number): string {
  return new Date(epochMillis).toISOString();
}

/** Validates that a property is a string accepted by {@link parseIsoInstant}. */
export function IsIsoInstant(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isIsoInstant',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        message: `$property must be an ISO-8601 instant with Z or an offset, such as 2026-05-17T10:05:03.250Z, naming a real date and time`,
        ...options,
      },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && parseIsoInstant(value) !== null,
      },
    });
  };
}
