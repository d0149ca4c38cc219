import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** Reads the fields of /proc/<pid>/stat after the command name (field 3 on), or null for an unknown or ended process. */
function statFields(pid: number | undefined): string[] | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may contain spaces; the fields after it are space separated.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** CPU seconds (user + system) a process has used so far, or null when /proc cannot tell. */
export function cpuSeconds(pid: number | undefined): number | null {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : null;
}

/** A process's nice value, and that of its scheduling group (null when it has none). */
export interface CpuPriority {
  nice: number;
  group_nice: number | null;
}

/**
 * Reads a process's CPU priority: its own nice value, and that of its scheduling group when the
 * kernel groups tasks by session. The group's value weighs the group against the other groups.
 */
export function cpuPriority(pid: number | undefined): CpuPriority | null {
  const fields = statFields(pid);
  if (!fields) return null;

  let groupNice: number | null = null;
  try {
    groupNice = autogroupNice(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
  } catch {
    // No autogroup file: the kernel does not group tasks by session.
  }
  return { nice: Number(fields[16]), group_nice: groupNice };
}

/**
 * Parses the nice value from the text of /proc/<pid>/autogroup ("/autogroup-40 nice 10"). Returns
 * null for the empty text of a task in the boot session (no setsid since init) and the root group.
 */
export function autogroupNice(text: string): number | null {
  const match = /^\/autogroup-\d+ nice (-?\d+)$/m.exec(text);
  return match ? Number(match[1]) : null;
}

/** Reads the pid the stack script stored for a service, if it is there. */
export function stackPid(root: string, service: 'kafka' | 'clickhouse'): number | undefined {
  const dir = process.env.STACK_DIR ?? join(root, '.cache', 'run');
  try {
    const pid = Number(readFileSync(join(dir, `${service}.pid`), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export type CpuPids = Record<string, number | undefined>;

/**
 * Measures the CPU each process spends while `work` runs. The load generator (this process) is
 * included as "bench". Per-event figures are microseconds of CPU divided by `events`.
 */
export async function measureCpu<T>(pids: CpuPids, events: number, work: () => Promise<T>): Promise<{ result: T; cpu: Record<string, { seconds: number; us_per_event: number }> }> {
  const before = new Map(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const ownBefore = process.cpuUsage();
  const result = await work();
  const own = process.cpuUsage(ownBefore);
  const cpu: Record<string, { seconds: number; us_per_event: number }> = {};
  const add = (name: string, seconds: number) => {
    cpu[name] = { seconds: Math.round(seconds * 100) / 100, us_per_event: Math.round((seconds * 1e6) / events) };
  };
  for (const [name, pid] of Object.entries(pids)) {
    const start = before.get(name);
    const end = cpuSeconds(pid);
    if (start !== null && start !== undefined && end !== null) add(name, end - start);
  }
  add('bench', (own.user + own.system) / 1e6);
  add('total', Object.values(cpu).reduce((sum, entry) => sum + entry.seconds, 0));
  return { result, cpu };
}
