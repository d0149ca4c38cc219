import { FieldError } from '@gallery/contract';
import { AccessLogConverter } from './access-log-converter';
import { BatchPoster } from './batch-poster';
import { DownloadEvent, DownloadEventMapperOptions, SKIP_REASONS, SkipReason } from './download-event-mapper';
import { SourceLine } from './line-reader';

export const DEFAULT_BATCH_SIZE = 500;
/** The ingest API rejects larger batches with 413 (its INGEST_MAX_BATCH_EVENTS default). */
export const MAX_BATCH_SIZE = 1000;
/** The ingest API's default body limit (INGEST_MAX_BODY_BYTES). */
export const DEFAULT_MAX_BODY_BYTES = 4 * 1024 * 1024;

/** How many malformed lines and invalid events the summary lists individually. */
const MAX_EXAMPLES = 5;
/** Bytes of `{"events":[` and `]}` around the comma-separated events of a request body. */
const BATCH_ENVELOPE_BYTES = '{"events":[]}'.length;

export interface AccessLogImportOptions extends DownloadEventMapperOptions {
  /** Events per request. */
  batchSize?: number;
  /** Largest request body in bytes; a batch is sent early when the next event would exceed it. */
  maxBodyBytes?: number;
}

/** Destination of converted batches: a BatchPoster, or null for a dry run. */
export type EventSink = Pick<BatchPoster, 'submit' | 'drain' | 'stopped'>;

/** Counts of an import so far; `AccessLogImport.stats` is updated as lines are read. */
export interface ImportStats {
  linesRead: number;
  malformedLines: number;
  /** The first few malformed lines, by 1-based line number. */
  malformedExamples: Array<{ lineNumber: number; reason: string }>;
  skipped: Record<SkipReason, number>;
  photoEvents: number;
  videoEvents: number;
  /** Events the contract rejected; they are not sent. Any count above 0 is a bug in the mapper. */
  invalidEvents: number;
  invalidExamples: Array<{ lineNumber: number; errors: FieldError[] }>;
  /** Distinct collection ids among the events. */
  collections: number;
  /** True when reading stopped before the end of the input because posting failed. */
  stoppedEarly: boolean;
}

/**
 * Reads a log, converts each line and hands full batches to the sink. Create one per input file,
 * because the converter counts identical lines per file.
 */
export class AccessLogImport {
  readonly stats: ImportStats = {
    linesRead: 0,
    malformedLines: 0,
    malformedExamples: [],
    skipped: Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<SkipReason, number>,
    photoEvents: 0,
    videoEvents: 0,
    invalidEvents: 0,
    invalidExamples: [],
    collections: 0,
    stoppedEarly: false,
  };

  private readonly converter: AccessLogConverter;
  private readonly batchSize: number;
  private readonly maxBodyBytes: number;
  private readonly collectionIds = new Set<string>();
  private batch: DownloadEvent[] = [];
  private batchBytes = BATCH_ENVELOPE_BYTES;

  /** Throws when an option is invalid, naming the option and the value. */
  constructor(
    private readonly sink: EventSink | null,
    options: AccessLogImportOptions = {},
  ) {
    this.converter = new AccessLogConverter(options);
    this.batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_BATCH_SIZE) {
      throw new Error(`invalid batchSize ${this.batchSize}: expected an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    if (!Number.isInteger(this.maxBodyBytes) || this.maxBodyBytes < 1) {
      throw new Error(`invalid maxBodyBytes ${this.maxBodyBytes}: expected a positive integer`);
    }
  }

  /** Converts every line, sends the last partial batch and waits until the sink has finished. */
  async run(lines: AsyncIterable<SourceLine>): Promise<ImportStats> {
    for await (const line of lines) {
      if (this.sink?.stopped) {
        this.stats.stoppedEarly = true;
        break;
      }
      await this.processLine(line);
    }

    await this.flush();
    await this.sink?.drain();
    return this.stats;
  }

  private async processLine(line: SourceLine): Promise<void> {
    const stats = this.stats;
    stats.linesRead++;
    const lineNumber = stats.linesRead;

    if (line.truncated) {
      this.recordMalformed(lineNumber, `line is longer than ${line.text.length} characters`);
      return;
    }

    const outcome = this.converter.convert(line.text);
    switch (outcome.kind) {
      case 'malformed':
        this.recordMalformed(lineNumber, outcome.reason);
        return;
      case 'skipped':
        stats.skipped[outcome.reason]++;
        return;
      case 'invalid':
        stats.invalidEvents++;
        if (stats.invalidExamples.length < MAX_EXAMPLES) {
          stats.invalidExamples.push({ lineNumber, errors: outcome.errors });
        }
        return;
      case 'photo':
        stats.photoEvents++;
        break;
      case 'video':
        stats.videoEvents++;
        break;
    }

    this.collectionIds.add(outcome.event.collection_id);
    stats.collections = this.collectionIds.size;
    await this.addToBatch(outcome.event);
  }

  private recordMalformed(lineNumber: number, reason: string): void {
    this.stats.malformedLines++;
    if (this.stats.malformedExamples.length < MAX_EXAMPLES) {
      this.stats.malformedExamples.push({ lineNumber, reason });
    }
  }

  private async addToBatch(event: DownloadEvent): Promise<void> {
    const eventBytes = Buffer.byteLength(JSON.stringify(event));
    // Every event after the first adds a comma to the body.
    if (this.batch.length > 0 && this.batchBytes + 1 + eventBytes > this.maxBodyBytes) {
      await this.flush();
    }

    this.batchBytes += (this.batch.length > 0 ? 1 : 0) + eventBytes;
    this.batch.push(event);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    this.batchBytes = BATCH_ENVELOPE_BYTES;
    if (batch.length > 0) await this.sink?.submit(batch);
  }
}
