import { ClickHouseService } from './clickhouse.service';
import { identifier, sql } from './sql';

/** A materialized view that writes into a table of its own (`TO <target>`), and what it reads. */
export interface Projection {
  view: string;
  target: string;
  /** The view's SELECT, as the server stores it. */
  select: string;
  /** The view's full CREATE statement from system.tables, to create it again after a swap. */
  createQuery: string;
}

export interface ProjectionProgress {
  projection: Projection;
  /** Index of the current chunk (a month of `events`) and the chunk count. */
  chunk: number;
  chunks: number;
  month: number;
}

/** Suffix of the table a projection is rebuilt into before the swap. */
export const REBUILD_SUFFIX = '__rebuild';

/**
 * Lists the materialized views of the database that have a `TO <target>` table, from the
 * `create_table_query` column of system.tables, so projections added by later migrations are
 * found without a list to maintain. Views that store their rows in an inner table are skipped,
 * because their storage cannot be renamed.
 */
export async function discoverProjections(clickhouse: ClickHouseService): Promise<Projection[]> {
  const rows = await clickhouse.query<{ name: string; create_table_query: string }>(sql`
    SELECT name, create_table_query
    FROM system.tables
    WHERE database = ${clickhouse.database} AND engine = 'MaterializedView'
    ORDER BY name
  `);
  const projections: Projection[] = [];
  for (const row of rows) {
    const target = /\sTO\s+(?:`?[A-Za-z0-9_]+`?\.)?`?([A-Za-z0-9_]+)`?/.exec(row.create_table_query);
    const select = /\sAS\s+(SELECT\b[\s\S]*)$/i.exec(row.create_table_query);
    if (!target || !select) continue;
    projections.push({ view: row.name, target: target[1], select: select[1], createQuery: row.create_table_query });
  }
  return projections;
}

/**
 * Rewrites a view's SELECT so that it reads one month of `events` only. Reading month by month
 * bounds the memory of GROUP BY views and gives progress. Splitting is safe because a view already
 * sees the consumer's inserts one batch at a time, so its target combines rows across inserts.
 */
export function selectForMonth(projection: Projection, database: string, month: number): string {
  const source = new RegExp(`\\bFROM\\s+(?:\`?${database}\`?\\.)?\`?events\`?(?=[\\s)]|$)`, 'g');
  const rewritten = projection.select.replace(
    source,
    `FROM (SELECT * FROM ${identifier(database)}.events WHERE toYYYYMM(occurred_at) = ${month})`,
  );
  if (rewritten === projection.select) {
    throw new Error(`materialized view ${projection.view} does not read ${database}.events; rebuild it by hand`);
  }
  return rewritten;
}

/**
 * Rebuilds every projection from the `events` table into new tables and swaps them in with one
 * RENAME. Rows inserted into `events` while it runs would reach the old tables only, so the
 * consumer must be stopped first. The command-line tools check that its group has no members.
 * Returns the names of the replaced tables, which are dropped unless `keepOld` is set.
 */
export async function rebuildProjections(
  clickhouse: ClickHouseService,
  options: { keepOld: boolean; onProgress?: (progress: ProjectionProgress) => void },
): Promise<{ projections: Projection[]; oldTables: string[] }> {
  const database = clickhouse.database;
  const projections = await discoverProjections(clickhouse);
  const months = (await clickhouse.query<{ month: number }>('SELECT DISTINCT toYYYYMM(occurred_at) AS month FROM events ORDER BY month')).map((row) =>
    Number(row.month),
  );

  for (const projection of projections) {
    const fresh = identifier(`${projection.target}${REBUILD_SUFFIX}`);
    await clickhouse.command(`DROP TABLE IF EXISTS ${fresh}`);
    await clickhouse.command(`CREATE TABLE ${fresh} AS ${identifier(projection.target)}`);
    for (const [index, month] of months.entries()) {
      options.onProgress?.({ projection, chunk: index + 1, chunks: months.length, month });
      await clickhouse.command(`INSERT INTO ${fresh} ${selectForMonth(projection, database, month)}`);
    }
  }

  const stamp = Date.now().toString(36);
  const oldTables = projections.map((projection) => `${projection.target}__old_${stamp}`);
  const renames = projections.flatMap((projection, index) => [
    `${identifier(projection.target)} TO ${identifier(oldTables[index])}`,
    `${identifier(`${projection.target}${REBUILD_SUFFIX}`)} TO ${identifier(projection.target)}`,
  ]);
  // One statement, so the server swaps the tables one right after the other; 18.16 has no EXCHANGE TABLES.
  if (renames.length > 0) await clickhouse.command(`RENAME TABLE ${renames.join(', ')}`);
  await recreateViews(clickhouse, projections);
  if (!options.keepOld) {
    for (const table of oldTables) await clickhouse.command(`DROP TABLE IF EXISTS ${identifier(table)}`);
  }
  return { projections, oldTables };
}

/**
 * Drops and creates the views again from their stored CREATE statements, so each one writes to
 * the table now named as its target and reads the table now named `events`. ClickHouse 18.16
 * resolves both by name at insert time, but current releases keep the table's UUID across a
 * RENAME, so a view would otherwise go on using the renamed old table.
 */
export async function recreateViews(clickhouse: ClickHouseService, projections: readonly Projection[]): Promise<void> {
  for (const projection of projections) {
    await clickhouse.command(`DROP TABLE IF EXISTS ${identifier(projection.view)}`);
    await clickhouse.command(projection.createQuery);
  }
}
