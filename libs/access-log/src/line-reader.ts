import { StringDecoder } from 'node:string_decoder';

/** One line of input, without its `\n` or `\r\n` terminator. */
export interface SourceLine {
  text: string;
  /**
   * True when the line exceeded the maximum length: `text` then contains only its first part and the
   * rest was discarded, so the caller should report the line instead of parsing it.
   */
  truncated: boolean;
}

/** Maximum line length in characters; longer lines are cut and marked truncated. Combined Log Format lines rarely exceed a few kilobytes. */
export const DEFAULT_MAX_LINE_LENGTH = 1024 * 1024;

/**
 * Splits a byte stream into lines, decoding it as UTF-8 (invalid bytes become U+FFFD). Reading
 * pauses while the consumer awaits, so a file of any size is read with bounded memory.
 *
 * @param onBytes called with the size of every chunk read, for progress display
 */
export async function* readLines(
  source: AsyncIterable<Buffer | string>,
  maxLineLength = DEFAULT_MAX_LINE_LENGTH,
  onBytes?: (byteCount: number) => void,
): AsyncGenerator<SourceLine> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  // While true, the current line already exceeded the maximum and is being skipped up to its end.
  let discarding = false;

  const takeLines = function* (text: string): Generator<SourceLine> {
    let start = 0;
    let newline = text.indexOf('\n', start);
    while (newline !== -1) {
      const piece = text.slice(start, newline);
      if (discarding) {
        discarding = false;
      } else {
        const line = pending + piece;
        pending = '';
        if (line.length > maxLineLength) {
          yield { text: line.slice(0, maxLineLength), truncated: true };
        } else {
          yield { text: stripCarriageReturn(line), truncated: false };
        }
      }
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }

    if (discarding) return;
    pending += text.slice(start);
    if (pending.length > maxLineLength) {
      yield { text: pending.slice(0, maxLineLength), truncated: true };
      pending = '';
      discarding = true;
    }
  };

  for await (const chunk of source) {
    if (typeof chunk === 'string') {
      onBytes?.(Buffer.byteLength(chunk));
      yield* takeLines(chunk);
    } else {
      onBytes?.(chunk.length);
      yield* takeLines(decoder.write(chunk));
    }
  }

  yield* takeLines(decoder.end());
  if (pending !== '' && !discarding) {
    yield { text: stripCarriageReturn(pending), truncated: false };
  }
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
