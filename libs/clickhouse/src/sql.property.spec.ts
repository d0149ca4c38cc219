import fc from 'fast-check';
import { inList, literal, numberLiteral, SqlLiteralError, stringLiteral } from './sql';

/**
 * Reads one ClickHouse string literal from the start of `text` the way the server's lexer does and
 * returns its value and the rest of the text. Only the escapes that `stringLiteral` writes are
 * decoded; anything else fails the test.
 */
function readStringLiteral(text: string): { value: string; rest: string } {
  if (text[0] !== "'") throw new Error(`literal does not start with a quote: ${text}`);
  const simple: Record<string, string> = { '\\': '\\', "'": "'", '0': '\0', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
  let value = '';
  for (let i = 1; i < text.length; i++) {
    const char = text[i];
    if (char === "'") return { value, rest: text.slice(i + 1) };
    if (char === '\\') {
      const next = text[i + 1];
      if (next === 'x') {
        value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
        i += 3;
      } else if (next in simple) {
        value += simple[next];
        i += 1;
      } else {
        throw new Error(`unexpected escape \\${next}`);
      }
      continue;
    }
    value += char;
  }
  throw new Error(`unterminated literal: ${text}`);
}

describe('sql literals (property-based)', () => {
  it('render any string as one literal of that value', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (value) => {
        const { value: decoded, rest } = readStringLiteral(stringLiteral(value));
        expect(rest).toBe('');
        expect(decoded).toBe(value);
      }),
      { numRuns: 2000 },
    );
  });

  it('leave no control character unescaped', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (value) => {
        // eslint-disable-next-line no-control-regex
        expect(stringLiteral(value)).not.toMatch(/[\x00-\x1f\x7f]/);
      }),
      { numRuns: 1000 },
    );
  });

  it('render arrays of strings as separate literals', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 40 }), { minLength: 1, maxLength: 10 }), (values) => {
        let text = inList(values).text.slice(1, -1);
        const decoded: string[] = [];
        for (;;) {
          const { value, rest } = readStringLiteral(text);
          decoded.push(value);
          if (rest === '') break;
          expect(rest.startsWith(', ')).toBe(true);
          text = rest.slice(2);
        }
        expect(decoded).toEqual(values);
      }),
    );
  });

  it('render safe integers plainly and reject the rest', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) {
          expect(() => numberLiteral(value)).toThrow(SqlLiteralError);
        } else {
          const text = numberLiteral(value);
          expect(text).toMatch(/^-?[0-9.e+-]+$/);
          expect(Number(text)).toBe(value === 0 ? 0 : value);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('reject values of other types', () => {
    expect(() => literal(undefined as never)).toThrow(SqlLiteralError);
    expect(() => literal({} as never)).toThrow(SqlLiteralError);
    expect(() => literal(Symbol('x') as never)).toThrow(SqlLiteralError);
  });
});
