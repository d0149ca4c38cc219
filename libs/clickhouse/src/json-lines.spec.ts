import { JSON_LINES_CHUNK_BYTES, JsonLines } from './json-lines';

function text(views: Iterable<Buffer>): string {
  return Buffer.concat([...views]).toString('utf8');
}

describe('JsonLines', () => {
  it('returns every line with its line break, in order, across chunks', () => {
    const lines = new JsonLines();
    // Lines of about 100 KiB fill a chunk after about ten lines, so these span three chunks.
    const written = Array.from({ length: 25 }, (_, index) => `${index}:${'x'.repeat(100 * 1024 + index)}`);
    written.forEach((line, index) => expect(lines.append(line)).toBe(index));

    expect(lines.count).toBe(25);
    expect(text(lines.views())).toBe(written.map((line) => `${line}\n`).join(''));
  });

  it('encodes non-ASCII text as UTF-8', () => {
    const lines = new JsonLines();
    const written = ['{"name":"Zoë"}', '{"name":"写真"}', '{"name":"📷 wedding"}'];
    for (const line of written) lines.append(line);
    expect(text(lines.views())).toBe(`${written.join('\n')}\n`);
  });

  it('gives a line longer than a chunk a buffer of its own', () => {
    const lines = new JsonLines();
    lines.append('first');
    const long = 'é'.repeat(JSON_LINES_CHUNK_BYTES);
    lines.append(long);
    lines.append('last');
    expect(text(lines.views())).toBe(`first\n${long}\nlast\n`);
  });

  it('leaves out the lines keep rejects and joins neighbours into one view', () => {
    const lines = new JsonLines();
    for (let index = 0; index < 10; index++) lines.append(`line ${index}`);
    const views = [...lines.views((index) => index !== 3 && index !== 4 && index !== 9)];
    expect(views.map((view) => view.toString('utf8'))).toEqual(['line 0\nline 1\nline 2\n', 'line 5\nline 6\nline 7\nline 8\n']);
  });

  it('yields nothing when no line is kept or none was written', () => {
    const lines = new JsonLines();
    expect([...lines.views()]).toEqual([]);
    lines.append('only');
    expect([...lines.views(() => false)]).toEqual([]);
  });

  it('reuses released chunks', () => {
    const first = new JsonLines();
    for (let index = 0; index < 30; index++) first.append(`${index}:${'a'.repeat(100 * 1024)}`);
    const firstBuffers = new Set([...first.views()].map((view) => view.buffer));
    first.release();
    expect(first.count).toBe(0);
    expect([...first.views()]).toEqual([]);

    const second = new JsonLines();
    const written = Array.from({ length: 30 }, (_, index) => `${index}:${'b'.repeat(100 * 1024)}`);
    for (const line of written) second.append(line);
    const secondViews = [...second.views()];
    expect(secondViews.some((view) => firstBuffers.has(view.buffer))).toBe(true);
    // Reused chunks contain only the new lines: nothing of the first store shows through.
    expect(text(secondViews)).toBe(written.map((line) => `${line}\n`).join(''));
    second.release();
  });
});
