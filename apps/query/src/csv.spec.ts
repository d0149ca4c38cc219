import { columnsOf, csvField, csvLine, flatten } from './csv';

describe('csv', () => {
  it('quotes fields per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(null)).toBe('');
    expect(csvField(12345678901234567890n)).toBe('12345678901234567890');
  });

  it('defuses text a spreadsheet would run', () => {
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvField('+1')).toBe("'+1");
    expect(csvField(-1)).toBe('-1');
  });

  it('flattens nested objects and joins arrays', () => {
    expect(flatten({ a: 1, b: { c: 'x', d: { e: null } }, f: ['p', 'q'] })).toEqual({ a: 1, 'b.c': 'x', 'b.d.e': null, f: 'p;q' });
    expect(csvLine(['a', 1, null])).toBe('a,1,\r\n');
  });

  it('finds the columns of a mapper without data', () => {
    expect(columnsOf((row: { x: string; y: string }) => ({ id: row.x, nested: { value: row.y } }))).toEqual(['id', 'nested.value']);
  });
});
