/**
 * Rebuilds every projection (each materialized view's TO table) from the raw `events` table into
 * new tables and swaps them in with RENAME. Run it with the consumer stopped.
 */
import { loadAppConfig } from '@gallery/config';
import { ClickHouseService } from '@gallery/clickhouse';
import { createKafka } from '@gallery/kafka';
import { rebuildProjections } from '../libs/clickhouse/src/rebuild-projections';
import { COMMON_HELP, parseRebuildArguments, progress, requireConsumerStopped } from './rebuild-support';

const HELP = `Usage: node dist/tools/rebuild-projections.js [options]

Rebuilds every table that a materialized view writes to (TO <table>) from the events table,
month by month, into <table>__rebuild, then swaps the new tables in with one RENAME and creates
the views again.

${COMMON_HELP}`;

async function main(argv: string[]): Promise<number> {
  const args = parseRebuildArguments(argv);
  if (args.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const config = loadAppConfig();
  if (!args.skipConsumerCheck) await requireConsumerStopped(createKafka(config.kafka, 'rebuild-check'), config.kafka.consumerGroup);

  const clickhouse = new ClickHouseService(config.clickhouse);
  try {
    const started = Date.now();
    const result = await rebuildProjections(clickhouse, {
      keepOld: args.keepOld,
      onProgress: ({ projection, chunk, chunks, month }) => progress(`${projection.target}: month ${month} (${chunk}/${chunks})`),
    });
    const replaced = result.projections.map((projection) => projection.target).join(', ') || 'none';
    progress(`rebuilt ${result.projections.length} projection(s) in ${Date.now() - started} ms: ${replaced}`);
    if (args.keepOld) progress(`old tables kept: ${result.oldTables.join(', ')}`);
    return 0;
  } finally {
    await clickhouse.client.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`rebuild-projections failed: ${(error as Error)?.message ?? String(error)}\n`);
    process.exit(1);
  },
);
