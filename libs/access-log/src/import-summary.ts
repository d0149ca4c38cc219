import { ImportStats } from './access-log-import';
import { SKIP_REASONS } from './download-event-mapper';

/** Everything the closing summary of an import reports. */
export interface ImportSummary {
  stats: ImportStats;
  dryRun: boolean;
  requestsSent: number;
  eventsAccepted: number;
  elapsedMs: number;
  /** The error that stopped posting, already formatted; absent when posting did not fail. */
  failure?: string;
}

/** Returns true when every event was valid and, unless it is a dry run, accepted by the server. */
export function importSucceeded(summary: ImportSummary): boolean {
  const { stats } = summary;
  if (stats.invalidEvents > 0 || summary.failure !== undefined || stats.stoppedEarly) return false;
  if (summary.dryRun) return true;
  return summary.eventsAccepted === stats.photoEvents + stats.videoEvents;
}

/** Formats the summary as aligned plain-text lines for a terminal or a CI log. */
export function formatImportSummary(summary: ImportSummary): string {
  const { stats } = summary;
  const events = stats.photoEvents + stats.videoEvents;
  const skippedTotal = SKIP_REASONS.reduce((sum, reason) => sum + stats.skipped[reason], 0);
  const rows: Array<[string, string | number]> = [
    ['lines read', stats.linesRead],
    ['malformed lines', stats.malformedLines],
    ['skipped lines', skippedTotal],
    ...SKIP_REASONS.map((reason): [string, number] => [`  ${reason}`, stats.skipped[reason]]),
    ['photo events', stats.photoEvents],
    ['video events', stats.videoEvents],
    ['collections', stats.collections],
    ['invalid events', stats.invalidEvents],
    ['events accepted', summary.dryRun ? 'none sent (dry run)' : `${summary.eventsAccepted} of ${events}`],
    ['requests sent', summary.requestsSent],
    ['elapsed seconds', (summary.elapsedMs / 1000).toFixed(1)],
  ];

  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  const lines = [summary.dryRun ? 'Access log import summary (dry run: nothing was sent)' : 'Access log import summary'];
  for (const [label, value] of rows) lines.push(`  ${label.padEnd(width)}${value}`);

  if (stats.malformedExamples.length > 0) {
    lines.push(`First malformed lines (${stats.malformedExamples.length} of ${stats.malformedLines}):`);
    for (const { lineNumber, reason } of stats.malformedExamples) lines.push(`  line ${lineNumber}: ${reason}`);
  }
  if (stats.invalidExamples.length > 0) {
    lines.push(`Invalid events, a bug in the importer (${stats.invalidExamples.length} of ${stats.invalidEvents}):`);
    for (const { lineNumber, errors } of stats.invalidExamples) {
      const messages = errors.map((error) => `${error.message}${error.value === undefined ? '' : ` (value: ${JSON.stringify(error.value)})`}`);
      lines.push(`  line ${lineNumber}: ${messages.join('; ')}`);
    }
  }
  if (stats.stoppedEarly) {
    lines.push(`Reading stopped after line ${stats.linesRead} because posting failed.`);
  }
  if (summary.failure !== undefined) {
    lines.push('Posting failed:', ...summary.failure.split('\n').map((line) => `  ${line}`));
  }
  return lines.join('\n');
}
