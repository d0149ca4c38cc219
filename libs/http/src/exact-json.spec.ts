import { exactInteger, stringifyExact } from './exact-json';

describe('stringifyExact', () => {
  it('writes integers beyond 2^53 with every digit', () => {
    const text = stringifyExact({ bytes: exactInteger('18446744073709551615'), small: exactInteger('42') });
    expect(text).toBe('{"bytes":18446744073709551615,"small":42}');
  });

  it('leaves strings that look like markers alone', () => {
    const text = stringifyExact({ name: '\u0000bigint-0000000000000000:12' });
    expect(JSON.parse(text)).toEqual({ name: '\u0000bigint-0000000000000000:12' });
  });
});
