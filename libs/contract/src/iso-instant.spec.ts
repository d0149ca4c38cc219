import fc from 'fast-check';
import { parseIsoInstant } from './iso-instant';

/** The rules written as one regular expression: the parser must agree with it on every text. */
function referenceParse(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/.exec(text);
  if (!match) return null;
  const [, y, mo, d, h, mi, s, fraction, zulu, sign, offH, offM] = match;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (month < 1 || month > 12 || day < 1 || day > days || hour > 23 || minute > 59 || second > 59) return null;
  let offset = 0;
  if (!zulu) {
    if (Number(offM) > 59) return null;
    offset = (Number(offH) * 60 + Number(offM)) * (sign === '-' ? -1 : 1);
    if (Math.abs(offset) > 14 * 60) return null;
  }
  const millis = fraction ? Number(fraction.padEnd(3, '0')) : 0;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset * 60_000;
}

describe('parseIsoInstant', () => {
  it.each([
    ['2026-05-17T10:05:03Z', Date.UTC(2026, 4, 17, 10, 5, 3)],
    ['2026-05-17T10:05:03.250Z', Date.UTC(2026, 4, 17, 10, 5, 3, 250)],
    ['2026-05-17T10:05:03.5Z', Date.UTC(2026, 4, 17, 10, 5, 3, 500)],
    ['2026-05-17T12:05:03+02:00', Date.UTC(2026, 4, 17, 10, 5, 3)],
    ['2026-05-17T05:35:03-04:30', Date.UTC(2026, 4, 17, 10, 5, 3)],
    ['2024-02-29T00:00:00Z', Date.UTC(2024, 1, 29)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
  ])('parses %s', (text, expected) => {
    expect(parseIsoInstant(text)).toBe(expected);
  });

  it.each([
    '2026-02-30T00:00:00Z',
    '2026-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-05-00T00:00:00Z',
    '2026-05-17T24:00:00Z',
    '2026-05-17T23:60:00Z',
    '2026-05-17T23:59:60Z',
    '2026-05-17T10:05:03',
    '2026-05-17 10:05:03Z',
    '2026-05-17t10:05:03z',
    '2026-05-17T10:05:03.1234Z',
    '2026-05-17T10:05:03+15:00',
    '2026-05-17T10:05:03+02:60',
    '2026-05-17T10:05:03+0200',
    '2026-05-17',
    '',
    'yesterday',
  ])('rejects %j', (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });

  it('agrees with the regular-expression rules on valid and mutated instants', () => {
    const instant = fc
      .record({
        ms: fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) }),
        fraction: fc.constantFrom('', '.5', '.25', '.250', '.1234', '.'),
        zone: fc.constantFrom('Z', 'z', '+02:00', '-04:30', '+14:00', '-14:01', '+02:60', '+0200', ''),
      })
      .map(({ ms, fraction, zone }) => `${new Date(ms).toISOString().slice(0, 19)}${fraction}${zone}`);
    // Replaces, inserts or removes one character, so most texts are near misses of the format.
    const mutated = fc.tuple(instant, fc.nat(30), fc.constantFrom('', '0', '9', '3', 'T', ':', '-', '+', '.', 'Z', ' ', '٣', 'a'), fc.boolean()).map(
      ([text, at, character, insert]) => `${text.slice(0, at)}${character}${text.slice(insert ? at : at + 1)}`,
    );
    fc.assert(
      fc.property(fc.oneof(instant, mutated, fc.string({ maxLength: 30 })), (text) => {
        expect(parseIsoInstant(text)).toBe(referenceParse(text));
      }),
      { numRuns: 20_000, seed: 20261205 },
    );
  });
});
