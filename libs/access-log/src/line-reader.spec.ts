import { Readable } from 'node:stream';
import { SourceLine, readLines } from './line-reader';

async function collect(chunks: Array<Buffer | string>, maxLineLength?: number): Promise<SourceLine[]> {
  const lines: SourceLine[] = [];
  for await (const line of readLines(Readable.from(chunks), maxLineLength)) lines.push(line);
  return lines;
}

function texts(lines: SourceLine[]): string[] {
  return lines.map((line) => line.text);
}

describe('readLines', () => {
  it('splits lines across chunks', async () => {
    const lines = await collect(['first li', 'ne\nsecond\n', 'third']);

    expect(texts(lines)).toEqual(['first line', 'second', 'third']);
  });

  it('strips CRLF terminators', async () => {
    expect(texts(await collect(['a\r\nb\r\n']))).toEqual(['a', 'b']);
  });

  it('keeps empty lines', async () => {
    expect(texts(await collect(['a\n\nb\n']))).toEqual(['a', '', 'b']);
  });

  it('decodes UTF-8 split across chunks', async () => {
    const bytes = Buffer.from('Küste\n', 'utf8');
    const lines = await collect([bytes.subarray(0, 2), bytes.subarray(2)]);

    expect(texts(lines)).toEqual(['Küste']);
  });

  it('reports overlong lines once and resumes after them', async () => {
    const lines = await collect(['short\n', 'x'.repeat(8), 'y'.repeat(8), 'z\nnext\n'], 10);

    expect(lines).toEqual([
      { text: 'short', truncated: false },
      { text: 'xxxxxxxxyy', truncated: true },
      { text: 'next', truncated: false },
    ]);
  });

  it('counts bytes read', async () => {
    let bytes = 0;
    for await (const _line of readLines(Readable.from([Buffer.from('ab\n'), Buffer.from('ü\n')]), undefined, (count) => (bytes += count))) {
      // Reading is all this loop does.
    }

    expect(bytes).toBe(6);
  });
});
