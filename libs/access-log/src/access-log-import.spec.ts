import { Readable } from 'node:stream';
import { AccessLogImport, EventSink } from './access-log-import';
import { PostableEvent } from './batch-poster';
import { formatImportSummary, importSucceeded } from './import-summary';
import { readLines } from './line-reader';

function logLine(file: string, status = 200, method = 'GET'): string {
  return `192.0.2.1 - - [17/May/2015:10:05:03 +0000] "${method} /gallery/${file} HTTP/1.1" ${status} 1000 "-" "Mozilla/5.0"`;
}

/** Records submitted batches; `stopAfter` makes it report `stopped` after that many batches. */
class RecordingSink implements EventSink {
  readonly batches: PostableEvent[][] = [];
  drained = false;

  constructor(private readonly stopAfter = Infinity) {}

  get stopped(): boolean {
    return this.batches.length >= this.stopAfter;
  }

  async submit(events: readonly PostableEvent[]): Promise<void> {
    this.batches.push([...events]);
  }

  async drain(): Promise<void> {
    this.drained = true;
  }
}

function source(lines: string[]) {
  return readLines(Readable.from([lines.join('\n')]));
}

describe('AccessLogImport', () => {
  it('counts every kind of line', async () => {
    const lines = [
      logLine('a.jpg'),
      logLine('b.png', 206),
      logLine('c.png', 404),
      logLine('d.mp4'),
      logLine('e.png', 304),
      logLine('f.png', 200, 'HEAD'),
      logLine('index.html'),
      'garbage',
    ];
    const sink = new RecordingSink();

    const stats = await new AccessLogImport(sink).run(source(lines));

    expect(stats.linesRead).toBe(8);
    expect(stats.photoEvents).toBe(3);
    expect(stats.videoEvents).toBe(1);
    expect(stats.skipped).toEqual({ not_get: 1, not_media_file: 1, no_file_sent: 1, media_id_too_long: 0 });
    expect(stats.malformedLines).toBe(1);
    expect(stats.malformedExamples).toEqual([{ lineNumber: 8, reason: expect.any(String) }]);
    expect(stats.collections).toBe(1);
    expect(sink.batches.flat()).toHaveLength(4);
    expect(sink.drained).toBe(true);
  });

  it('splits batches by event count', async () => {
    const sink = new RecordingSink();
    const lines = Array.from({ length: 7 }, (_, index) => logLine(`${index}.jpg`));

    await new AccessLogImport(sink, { batchSize: 3 }).run(source(lines));

    expect(sink.batches.map((batch) => batch.length)).toEqual([3, 3, 1]);
  });

  it('splits batches by body size', async () => {
    const sink = new RecordingSink();
    const lines = Array.from({ length: 6 }, (_, index) => logLine(`${index}.jpg`));

    await new AccessLogImport(sink, { batchSize: 1000, maxBodyBytes: 1200 }).run(source(lines));

    expect(sink.batches.length).toBeGreaterThan(1);
    expect(sink.batches.flat()).toHaveLength(6);
    for (const batch of sink.batches) {
      expect(Buffer.byteLength(JSON.stringify({ events: batch }))).toBeLessThanOrEqual(1200);
    }
  });

  it('stops reading once the sink stopped', async () => {
    const sink = new RecordingSink(1);
    const lines = Array.from({ length: 10 }, (_, index) => logLine(`${index}.jpg`));

    const stats = await new AccessLogImport(sink, { batchSize: 2 }).run(source(lines));

    expect(stats.stoppedEarly).toBe(true);
    expect(stats.linesRead).toBe(2);
    expect(sink.batches).toHaveLength(1);
  });

  it('rejects a batch size above 1000', () => {
    expect(() => new AccessLogImport(null, { batchSize: 1001 })).toThrow('invalid batchSize 1001');
  });
});

describe('import summary', () => {
  it('lists skip reasons and malformed line numbers', async () => {
    const stats = await new AccessLogImport(null).run(source([logLine('a.jpg'), 'garbage', logLine('b.css')]));
    const summary = { stats, dryRun: true, requestsSent: 0, eventsAccepted: 0, elapsedMs: 1234 };

    const text = formatImportSummary(summary);

    expect(text).toContain('dry run');
    expect(text).toMatch(/not_media_file\s+1/);
    expect(text).toMatch(/photo events\s+1/);
    expect(text).toContain('line 2: ');
    expect(text).toMatch(/elapsed seconds\s+1\.2/);
    expect(importSucceeded(summary)).toBe(true);
  });

  it('fails when events were not accepted', async () => {
    const stats = await new AccessLogImport(null).run(source([logLine('a.jpg'), logLine('b.jpg')]));

    expect(importSucceeded({ stats, dryRun: false, requestsSent: 1, eventsAccepted: 1, elapsedMs: 0 })).toBe(false);
    expect(importSucceeded({ stats, dryRun: false, requestsSent: 1, eventsAccepted: 2, elapsedMs: 0 })).toBe(true);
  });
});
