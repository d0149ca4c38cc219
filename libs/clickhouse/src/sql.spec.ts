import { dateTimeLiteral, identifier, inList, literal, raw, sql, SqlLiteralError, stringLiteral, tabSeparatedRow } from './sql';

describe('stringLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ["O'Brien", "'O\\'Brien'"],
    ['back\\slash', "'back\\\\slash'"],
    ["x' OR 1=1 --", "'x\\' OR 1=1 --'"],
    ["\\' OR 1=1", "'\\\\\\' OR 1=1'"],
    ['line\nbreak\ttab\rreturn', "'line\\nbreak\\ttab\\rreturn'"],
    ['nul\0byte', "'nul\\0byte'"],
    ['bell\x07', "'bell\\x07'"],
    ['del\x7f', "'del\\x7f'"],
    ['ünïcödé ✓ 🎉', "'ünïcödé ✓ 🎉'"],
    ['', "''"],
  ])('renders %j', (input, expected) => {
    expect(stringLiteral(input)).toBe(expected);
  });

  it('leaves no unescaped quote in hostile input', () => {
    const hostile = ["'", "\\'", "''", "\\\\'", "';DROP TABLE events;--", '\u0000\'\\'];
    for (const input of hostile) {
      const body = stringLiteral(input).slice(1, -1);
      // Every quote inside the body must be preceded by an odd number of backslashes.
      const unescaped = /(^|[^\\])(\\\\)*'/.test(body);
      expect(unescaped).toBe(false);
    }
  });
});

describe('literal', () => {
  it('renders numbers, bigints, booleans and null', () => {
    expect(literal(42)).toBe('42');
    expect(literal(-7)).toBe('-7');
    expect(literal(0.25)).toBe('0.25');
    expect(literal(18446744073709551615n)).toBe('18446744073709551615');
    expect(literal(true)).toBe('1');
    expect(literal(false)).toBe('0');
    expect(literal(null)).toBe('NULL');
  });

  it('rejects numbers that cannot be rendered exactly', () => {
    expect(() => literal(Number.NaN)).toThrow(SqlLiteralError);
    expect(() => literal(Number.POSITIVE_INFINITY)).toThrow(SqlLiteralError);
    expect(() => literal(2 ** 60)).toThrow(/bigint/);
  });

  it('renders arrays and dates', () => {
    expect(literal(['a', "b'"])).toBe("['a', 'b\\'']");
    expect(dateTimeLiteral(new Date('2026-03-29T01:30:00.999Z'))).toBe("toDateTime('2026-03-29 01:30:00', 'UTC')");
    expect(() => literal(new Date('invalid'))).toThrow(SqlLiteralError);
  });

  it('rejects values of unsupported types', () => {
    expect(() => literal({} as never)).toThrow(SqlLiteralError);
    expect(() => literal(undefined as never)).toThrow(SqlLiteralError);
  });
});

describe('identifier', () => {
  it('quotes plain names', () => {
    expect(identifier('events').text).toBe('`events`');
  });

  it.each(['', '1abc', 'a-b', 'a`b', 'a b', 'events; DROP TABLE x', 'ü'])('rejects %j', (name) => {
    expect(() => identifier(name)).toThrow(SqlLiteralError);
  });
});

describe('sql template', () => {
  it('renders each value as a literal and fragments as they are', () => {
    const text = sql`SELECT ${raw('count()')} FROM events WHERE account_id = ${"a'b"} AND n IN ${inList([1, 2])}`;
    expect(text).toBe("SELECT count() FROM events WHERE account_id = 'a\\'b' AND n IN (1, 2)");
  });

  it('rejects an empty IN list', () => {
    expect(() => inList([])).toThrow(SqlLiteralError);
  });
});

describe('tabSeparatedRow', () => {
  it('escapes the characters that would end a field or a row', () => {
    expect(tabSeparatedRow(['a\tb', 'line\nbreak', 'back\\slash', 'cr\r', 'nul\0'])).toBe('a\\tb\tline\\nbreak\tback\\\\slash\tcr\\r\tnul\\0\n');
  });

  it('leaves other text as it is', () => {
    expect(tabSeparatedRow(["it's", 'ünïcödé 🎉', ''])).toBe("it's\tünïcödé 🎉\t\n");
  });
});
