import type { CpuPriority } from './cpu';

type Latency = { samples: number; p50_ms: number; p95_ms: number; p99_ms: number; max_ms: number };

/** Formats one Markdown table row. */
export function row(cells: Array<string | number>): string {
  return `| ${cells.join(' | ')} |`;
}

/** Renders the p95 of each endpoint at the two store sizes, their ratio and the target. */
function queryTable(smallEvents: number, largeEvents: number, small: Record<string, Latency>, large: Record<string, Latency>): string[] {
  const lines = [row(['endpoint', `p95 at ${smallEvents} events`, `p95 at ${largeEvents} events`, 'ratio', 'target']), row(['---', '---', '---', '---', '---'])];
  for (const [path, smallLatency] of Object.entries(small)) {
    const largeLatency = large[path];
    // The starred endpoint reads the whole account, so its cost grows with the account's data.
    const target = path.includes('/collections/') ? 'p95 ≤ 50 ms and ≤ 1.5× at 10 M' : 'none: account-wide';
    lines.push(row([path, `${smallLatency.p95_ms} ms`, `${largeLatency.p95_ms} ms`, (largeLatency.p95_ms / smallLatency.p95_ms).toFixed(2), target]));
  }
  lines.push('');
  return lines;
}

/** Renders a benchmark result as a Markdown page with the targets beside the figures. */
export function renderMarkdown(results: Record<string, any>): string {
  const lines: string[] = [];
  lines.push(`# Benchmark run ${results.run_id}`, '');
  lines.push(`Command: \`${results.command}\`; started ${results.started_at}, finished ${results.finished_at}.`);
  lines.push(`Machine: ${results.machine.cpus} × ${results.machine.cpu_model}, ${results.machine.memory_gib} GiB; Node ${results.versions.node}, ClickHouse ${results.versions.clickhouse}, Kafka ${results.versions.kafka}.`);
  lines.push('Kafka, ClickHouse, the three apps and the load generator all run on this one machine.');
  if (results.node_options) {
    lines.push(`Node options: ${Object.entries(results.node_options as Record<string, string>).map(([app, options]) => `${app} \`${options}\``).join(', ')}.`);
  }
  if (results.cpu_priority) {
    const priorities = Object.entries(results.cpu_priority as Record<string, CpuPriority | null>)
      .filter((entry): entry is [string, CpuPriority] => entry[1] !== null)
      .map(([name, { nice, group_nice }]) => `${name} ${nice}${group_nice === null ? '' : ` (group ${group_nice})`}`);
    lines.push(`CPU priority (nice; in brackets that of the process's scheduling group): ${priorities.join(', ')}.`);
  }
  lines.push('');

  const insert = results.clickhouse_insert;
  const produce = results.kafka_produce;
  const e2e = results.end_to_end;
  lines.push('## Throughput', '');
  lines.push(row(['measure', 'result', 'target']), row(['---', '---', '---']));
  if (insert) lines.push(row(['ClickHouse insert, @clickhouse/client, JSONEachRow', `${insert.rows_per_second} rows/s (${insert.rows} rows, batches of ${insert.batch_size})`, 'baseline']));
  if (produce) lines.push(row(['kafkajs produce, acks=-1, idempotent', `${produce.messages_per_second} messages/s (${produce.producers} producers, batches of ${produce.batch_size})`, 'baseline']));
  if (e2e) {
    lines.push(row(['end to end: POST → queryable', `${e2e.events_per_second} events/s (${e2e.events} events, ${e2e.concurrency} clients, batches of ${e2e.batch_size})`, '≥ 50 % of the ClickHouse insert rate']));
    lines.push(row(['end to end / ClickHouse insert', `${Math.round(e2e.ratio_to_clickhouse_insert * 100)} %`, '≥ 50 %']));
  }
  lines.push('');
  const pairs: Array<{ insertRowsPerSecond: number; endToEndEventsPerSecond: number; ratio: number; reported: boolean; endToEndCpuMicrosecondsPerEvent?: number }> | undefined = results.pairs;
  if (pairs && pairs.length > 1) {
    lines.push(`The insert baseline and the end-to-end run were taken ${pairs.length} times, in pairs, one right after the other. The table above shows the pair with the median ratio.`, '');
    if (results.warmup) lines.push(`Before the first pair, ${results.warmup.events} events went through the pipeline without being measured, so that Kafka's JVM and the apps had compiled their hot paths.`, '');
    lines.push(row(['pair', 'ClickHouse insert', 'end to end', 'ratio', 'CPU per event, end to end']), row(['---', '---', '---', '---', '---']));
    pairs.forEach((pair, index) => {
      const name = pair.reported ? `${index + 1} (reported)` : `${index + 1}`;
      const cpu = pair.endToEndCpuMicrosecondsPerEvent === undefined ? '—' : `${pair.endToEndCpuMicrosecondsPerEvent} µs`;
      lines.push(row([name, `${pair.insertRowsPerSecond} rows/s`, `${pair.endToEndEventsPerSecond} events/s`, `${Math.round(pair.ratio * 100)} %`, cpu]));
    });
    lines.push('');
  }

  const cpuPhases: Array<[string, Record<string, { seconds: number; us_per_event: number }> | undefined]> = [
    ['ClickHouse insert baseline', insert?.cpu],
    ['end to end', e2e?.cpu],
    ['half load', results.half_load?.cpu],
    ['half load without the probe', results.half_load_without_probe?.cpu],
    ['half load, requests of 100', results.half_load_small_requests?.cpu],
    ['half load, requests of 100, without the probe', results.half_load_small_requests_without_probe?.cpu],
  ];
  const present = cpuPhases.filter((phase): phase is [string, Record<string, { seconds: number; us_per_event: number }>] => phase[1] !== undefined);
  if (present.length > 0) {
    const processes = Object.keys(present[0][1]);
    lines.push('## CPU per event', '');
    lines.push('Microseconds of CPU (user and system, from /proc) each process spent per event during the phase; "bench" is the load generator.', '');
    lines.push(row(['phase', ...processes]), row(['---', ...processes.map(() => '---')]));
    for (const [name, cpu] of present) lines.push(row([name, ...processes.map((process) => (cpu[process] ? `${cpu[process].us_per_event} µs` : '—'))]));
    lines.push('');
  }

  const halfLoads: Array<[string, any]> = [
    ['Latency at half load', results.half_load],
    ['Latency at half load without the probe', results.half_load_without_probe],
    ['Latency at the same event rate in smaller requests', results.half_load_small_requests],
    ['Latency in smaller requests without the probe', results.half_load_small_requests_without_probe],
  ];
  for (const [title, half] of halfLoads) {
    if (!half) continue;
    lines.push(`## ${title} (${half.target_events_per_second} events/s in batches of ${half.batch_size}, ${half.seconds} s)`, '');
    if (half.poll_interval_ms) lines.push(`The marker collection is read every ${half.poll_interval_ms} ms until the marker shows.`, '');
    else lines.push('No marker events are posted and the query API is not read, so ingest, the consumer and ClickHouse carry the event load alone.', '');
    lines.push(row(['measure', 'p50', 'p95', 'p99', 'max', 'target']), row(['---', '---', '---', '---', '---', '---']));
    const latency = (name: string, value: Latency, target: string) => lines.push(row([name, `${value.p50_ms} ms`, `${value.p95_ms} ms`, `${value.p99_ms} ms`, `${value.max_ms} ms`, target]));
    latency('ingest request', half.ingest_request_latency, 'p99 ≤ 25 ms');
    if (half.event_to_queryable_latency) latency('event → queryable', half.event_to_queryable_latency, 'p99 ≤ 2000 ms');
    lines.push('');
    const shares = half.ingest_request_shares;
    if (shares) {
      const percent = (share: number | undefined) => (share === undefined ? '—' : `${(share * 100).toFixed(1)} %`);
      lines.push('Requests answered within 25 ms (and 50 ms), as the load generator saw them, as the ingest app timed them, and the wait for Kafka alone:', '');
      lines.push(row(['load generator', 'ingest app', 'Kafka acknowledgement']), row(['---', '---', '---']));
      lines.push(row([percent(shares.client_within_25_ms), `${percent(shares.app_within_25_ms)} (${percent(shares.app_within_50_ms)})`, `${percent(shares.kafka_ack_within_25_ms)} (${percent(shares.kafka_ack_within_50_ms)})`]));
      lines.push('');
    }
    const delay = half.load_generator_loop_delay;
    if (delay) lines.push(`The load generator's own event loop ran late by ${delay.p99_ms} ms at p99 and ${delay.max_ms} ms at most. A response that arrives while its loop is busy is timed late.`, '');
  }

  if (results.queries_small && results.queries_large) {
    const { queries_small: small, queries_large: large } = results;
    lines.push(`## Query latency for one collection of ${small.probe_collection_events} events`, '');
    lines.push('The benchmark sends each endpoint one request at a time. The query app asks ClickHouse to keep what its statements decompress in the uncompressed cache, so requests after the first read the collection from that cache.', '');
    lines.push(...queryTable(small.stored_events, large.stored_events, small.latency, large.latency));
    if (small.first_read_latency && large.first_read_latency) {
      lines.push('### First reads', '', 'The same requests with the uncompressed cache emptied before each one, as for the first view of a collection. The column files stay in the operating system\'s cache.', '');
      lines.push(...queryTable(small.stored_events, large.stored_events, small.first_read_latency, large.first_read_latency));
    }
  }

  if (results.peak_rss_mib) {
    lines.push('## Peak RSS', '');
    lines.push(row(['app', 'peak RSS', 'target', 'met']), row(['---', '---', '---', '---']));
    for (const [name, mib] of Object.entries(results.peak_rss_mib)) {
      // The target is in megabytes (10^6 bytes): 200 MB is 190.7 MiB.
      const megabytes = (Number(mib) * 1024 * 1024) / 1e6;
      lines.push(row([name, `${mib} MiB (${megabytes.toFixed(0)} MB)`, '< 200 MB', megabytes < 200 ? 'yes' : 'no']));
    }
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
