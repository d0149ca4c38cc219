/** Bytes of each buffer a {@link JsonLines} store fills; a longer line gets a buffer of its own. */
export const JSON_LINES_CHUNK_BYTES = 1024 * 1024;

/** Most chunks kept for reuse: a consumer group of 4 MiB of messages fills about a dozen. */
const MAX_SPARE_CHUNKS = 16;

/** Chunks of released stores, reused before new ones are allocated. */
const spareChunks: Buffer[] = [];

/**
 * Lines of text, each ending in a line break, kept as UTF-8 in large buffers outside the
 * JavaScript heap. A consumer group keeps thousands of row lines while it waits for its insert.
 * Kept as strings, each would be copied by every young-generation collection until promoted, and
 * that cost more CPU than building them. Here each line is encoded once, into a few buffers that
 * the garbage collector does not copy. Once the lines are no longer read, {@link release} hands the
 * buffers to the next store, which spares it allocating and first touching fresh memory.
 */
export class JsonLines {
  private chunks: Buffer[] = [];
  /** Bytes used in the last chunk. */
  private used = 0;
  /** Per line, three numbers: its chunk, its first byte and the byte after its line break. */
  private readonly spans: number[] = [];

  get count(): number {
    return this.spans.length / 3;
  }

  /** Appends a line; `line` must not contain a line break. Returns the line's index. */
  append(line: string): number {
    // UTF-8 takes at most three bytes per UTF-16 code unit.
    const maxBytes = line.length * 3 + 1;
    let chunk = this.chunks[this.chunks.length - 1];
    if (chunk === undefined || chunk.length - this.used < maxBytes) {
      chunk = (maxBytes <= JSON_LINES_CHUNK_BYTES ? spareChunks.pop() : undefined) ?? Buffer.allocUnsafeSlow(Math.max(JSON_LINES_CHUNK_BYTES, maxBytes));
      this.chunks.push(chunk);
      this.used = 0;
    }
    const start = this.used;
    const end = start + chunk.write(line, start, 'utf8');
    chunk[end] = 0x0a;
    this.used = end + 1;
    this.spans.push(this.chunks.length - 1, start, this.used);
    return this.count - 1;
  }

  /**
   * Empties the store and keeps its buffers for reuse. Call it only when nothing reads the views
   * any more: the next store overwrites them.
   */
  release(): void {
    for (const chunk of this.chunks) {
      if (chunk.length === JSON_LINES_CHUNK_BYTES && spareChunks.length < MAX_SPARE_CHUNKS) spareChunks.push(chunk);
    }
    this.chunks = [];
    this.spans.length = 0;
    this.used = 0;
  }

  /**
   * The bytes of the lines that `keep` accepts (all lines without it), in order, as views of the
   * stored buffers: lines next to each other come out as one view, nothing is copied.
   */
  *views(keep?: (index: number) => boolean): Generator<Buffer> {
    let chunk = -1;
    let start = 0;
    let end = 0;
    for (let index = 0; index < this.count; index++) {
      if (keep && !keep(index)) continue;
      const lineChunk = this.spans[index * 3];
      const lineStart = this.spans[index * 3 + 1];
      if (lineChunk === chunk && lineStart === end) {
        end = this.spans[index * 3 + 2];
        continue;
      }
      if (chunk >= 0) yield this.chunks[chunk].subarray(start, end);
      chunk = lineChunk;
      start = lineStart;
      end = this.spans[index * 3 + 2];
    }
    if (chunk >= 0) yield this.chunks[chunk].subarray(start, end);
  }
}
