import { FieldError, validateEvent } from '@gallery/contract';
import { parseCombinedLogLine } from './combined-log-parser';
import { DownloadEvent, DownloadEventMapper, DownloadEventMapperOptions, SkipReason } from './download-event-mapper';
import { LineOccurrenceCounter, accessLogEventId } from './event-id';

/** Result of converting one log line. */
export type LineOutcome =
  | { kind: 'malformed'; reason: string }
  | { kind: 'skipped'; reason: SkipReason }
  | { kind: 'photo' | 'video'; event: DownloadEvent }
  /** The mapper built an event that the contract rejects; a bug, never expected. */
  | { kind: 'invalid'; event: DownloadEvent; errors: FieldError[] };

/**
 * Converts the lines of one log file, in order, into contract events: parse, map, derive the event
 * id and validate. Keeps per-file state (occurrence counts of identical lines), so use one
 * converter per file and feed it every line from the first.
 */
export class AccessLogConverter {
  private readonly mapper: DownloadEventMapper;
  private readonly occurrences = new LineOccurrenceCounter();

  constructor(options: DownloadEventMapperOptions = {}) {
    this.mapper = new DownloadEventMapper(options);
  }

  /** Converts one line, given without its line terminator. A malformed line becomes an outcome, not an exception. */
  convert(line: string): LineOutcome {
    const parsed = parseCombinedLogLine(line);
    if (!parsed.ok) return { kind: 'malformed', reason: parsed.reason };

    // Only lines that become events get an id and are counted. Identical lines always map the
    // same way, so each still gets its occurrence number among the identical lines of the file.
    const mapped = this.mapper.map(parsed.record, () => accessLogEventId(line, this.occurrences.next(line)));
    if (!mapped.ok) return { kind: 'skipped', reason: mapped.reason };

    const event = mapped.event;
    const validation = validateEvent(event);
    if (!validation.ok) return { kind: 'invalid', event, errors: validation.errors };
    return { kind: mapped.kind, event };
  }
}
