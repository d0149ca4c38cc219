/**
 * Command line entry of the access log importer. Run it with --help for the options. The parsing,
 * mapping and posting live in libs/access-log, and this file only connects them to files, the
 * terminal and the exit status.
 */
import { createReadStream, statSync } from 'node:fs';
import { MultiBar, Presets } from 'cli-progress';
import {
  AccessLogImport,
  BatchPoster,
  ImportStats,
  RetryNotice,
  formatImportSummary,
  importSucceeded,
  parseImportArguments,
  readLines,
} from '@gallery/access-log';

/** Interval of plain progress lines when stderr is not a terminal, such as in CI logs. */
const PLAIN_PROGRESS_INTERVAL_MS = 10_000;
const BAR_REDRAW_INTERVAL_MS = 250;

const EXIT_OK = 0;
const EXIT_NOT_ACCEPTED = 1;
const EXIT_USAGE = 2;

async function main(argv: string[]): Promise<number> {
  const command = parseImportArguments(argv, process.env);
  if (command.kind === 'help') {
    process.stdout.write(command.text);
    return EXIT_OK;
  }
  if (command.kind === 'error') {
    process.stderr.write(`import-access-log: ${command.message}\n`);
    return EXIT_USAGE;
  }
  const options = command.options;

  let totalBytes: number | undefined;
  if (options.file !== '-') {
    try {
      totalBytes = statSync(options.file).size;
    } catch (error) {
      process.stderr.write(`import-access-log: cannot read ${options.file}: ${(error as Error).message}; check the path\n`);
      return EXIT_USAGE;
    }
  }

  let progress: ProgressDisplay | undefined;
  const log = (message: string): void => (progress ? progress.log(message) : void process.stderr.write(`${message}\n`));

  const poster = options.dryRun
    ? null
    : new BatchPoster({
        baseUrl: options.url,
        key: options.key,
        concurrency: options.concurrency,
        maxAttempts: options.maxAttempts,
        requestTimeoutMs: options.requestTimeoutMs,
        onRetry: (notice) => log(describeRetry(notice)),
      });

  let importer: AccessLogImport;
  try {
    importer = new AccessLogImport(poster, options);
  } catch (error) {
    process.stderr.write(`import-access-log: ${(error as Error).message}\n`);
    return EXIT_USAGE;
  }

  if (!options.dryRun) {
    const keyNote = options.usingDevKey ? ' with the development ingest key' : '';
    log(`Importing ${options.file} into ${options.url}${keyNote}`);
  }

  let bytesRead = 0;
  const input = options.file === '-' ? process.stdin : createReadStream(options.file);
  if (options.progress) {
    progress = new ProgressDisplay(totalBytes, () => ({ bytesRead, stats: importer.stats, poster }));
  }

  const startedAt = Date.now();
  let readFailed = false;
  try {
    await importer.run(readLines(input, undefined, (byteCount) => (bytesRead += byteCount)));
  } catch (error) {
    // The summary below still reports what was read and posted before the failure.
    readFailed = true;
    log(`import-access-log: reading ${options.file} failed after line ${importer.stats.linesRead}: ${(error as Error).message}`);
    await poster?.drain();
  }
  progress?.stop();

  const summary = {
    stats: importer.stats,
    dryRun: options.dryRun,
    requestsSent: poster?.requestsSent ?? 0,
    eventsAccepted: poster?.eventsAccepted ?? 0,
    elapsedMs: Date.now() - startedAt,
    failure: poster?.failure?.describe(),
  };
  process.stdout.write(`${formatImportSummary(summary)}\n`);
  return importSucceeded(summary) && !readFailed ? EXIT_OK : EXIT_NOT_ACCEPTED;
}

function describeRetry(notice: RetryNotice): string {
  return (
    `Retrying a batch of ${notice.eventCount} events (first event ${notice.firstEventId}) in ` +
    `${(notice.delayMs / 1000).toFixed(1)} s: attempt ${notice.attempt} of ${notice.maxAttempts} failed with ${notice.reason}`
  );
}

interface ProgressSnapshot {
  bytesRead: number;
  stats: ImportStats;
  poster: BatchPoster | null;
}

/**
 * Shows progress on stderr: a redrawn bar when stderr is a terminal, otherwise one plain line
 * every 10 seconds, because a redrawn bar turns into thousands of lines in a CI log.
 */
class ProgressDisplay {
  private readonly bars: MultiBar | undefined;
  private readonly bar: ReturnType<MultiBar['create']> | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly totalBytes: number | undefined,
    private readonly snapshot: () => ProgressSnapshot,
  ) {
    if (process.stderr.isTTY) {
      const format =
        totalBytes === undefined
          ? '{lines} lines | {events} events | {accepted} accepted'
          : '{bar} {percentage}% | ETA {eta_formatted} | {lines} lines | {events} events | {accepted} accepted';
      this.bars = new MultiBar({ stream: process.stderr, format, clearOnComplete: false }, Presets.shades_classic);
      this.bar = this.bars.create(totalBytes ?? 0, 0, this.payload());
      this.timer = setInterval(() => this.redraw(), BAR_REDRAW_INTERVAL_MS);
    } else {
      this.timer = setInterval(() => process.stderr.write(`${this.plainLine()}\n`), PLAIN_PROGRESS_INTERVAL_MS);
    }
    // The import must not stay alive just to show progress.
    this.timer.unref();
  }

  /** Prints a message above the bar, or as a plain line without one. */
  log(message: string): void {
    if (this.bars) this.bars.log(`${message}\n`);
    else process.stderr.write(`${message}\n`);
  }

  stop(): void {
    clearInterval(this.timer);
    if (this.bars) {
      this.redraw();
      this.bars.stop();
    }
  }

  private redraw(): void {
    this.bar?.update(this.snapshot().bytesRead, this.payload());
  }

  private payload(): Record<string, number> {
    const { stats, poster } = this.snapshot();
    return {
      lines: stats.linesRead,
      events: stats.photoEvents + stats.videoEvents,
      accepted: poster?.eventsAccepted ?? 0,
    };
  }

  private plainLine(): string {
    const { bytesRead, stats, poster } = this.snapshot();
    const read =
      this.totalBytes === undefined || this.totalBytes === 0
        ? `${bytesRead} bytes read`
        : `${((bytesRead / this.totalBytes) * 100).toFixed(1)}% of ${this.totalBytes} bytes read`;
    const posted = poster ? `, ${poster.eventsAccepted} accepted, ${poster.requestsSent} requests` : '';
    return `progress: ${read}, ${stats.linesRead} lines, ${stats.photoEvents + stats.videoEvents} events${posted}`;
  }
}

main(process.argv.slice(2)).then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    process.stderr.write(`import-access-log: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT_NOT_ACCEPTED;
  },
);
