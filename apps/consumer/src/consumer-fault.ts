/**
 * Test-only fault injection, set with the CONSUMER_FAULT environment variable. The fault tests in
 * test/faults use it to reproduce crashes at exact points; never set it in production.
 *
 * - `exit-after-insert:<n>`: the process exits with code 137 (as if killed with SIGKILL) right
 *   after its n-th successful insert into the events table, before the batch's offset is committed.
 * - `drop-commits`: the consumer never sends offset commits, as if every commit were lost on its way
 *   to the broker; it logs each commit it drops.
 */
export type ConsumerFault = { kind: 'exit-after-insert'; afterInserts: number } | { kind: 'drop-commits' } | { kind: 'none' };

export function parseConsumerFault(value: string | undefined): ConsumerFault {
  if (value === undefined || value === '') return { kind: 'none' };
  if (value === 'drop-commits') return { kind: 'drop-commits' };
  const match = /^exit-after-insert:(\d+)$/.exec(value);
  if (match && Number(match[1]) >= 1) return { kind: 'exit-after-insert', afterInserts: Number(match[1]) };
  throw new Error(`CONSUMER_FAULT must be exit-after-insert:<n> with n >= 1 or drop-commits, got "${value}"; it is for tests only, unset it otherwise`);
}

/** Injection token of the parsed {@link ConsumerFault}. */
export const CONSUMER_FAULT = Symbol('CONSUMER_FAULT');
