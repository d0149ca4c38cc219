import 'reflect-metadata';
import { passesCompiled } from './compiled-validator';
import { EVENT_TYPES, EventType } from './event-type';
import { EVENT_EXAMPLES } from './examples';
import { EVENT_CLASSES } from './registry';
import { validateWithClassValidator } from './validate-event';

/** Seeded generator, so a failing case can be reproduced from its index. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 48271) % 2147483647;
    return state / 2147483647;
  };
}

const HOSTILE_VALUES: unknown[] = [
  undefined, null, '', ' ', 'x', 'x'.repeat(300), 'x'.repeat(3000), -1, 0, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, '12', true, false,
  [], [1], ['view'], ['view', 'view'], {}, { id: 'x' }, '2026-02-30T00:00:00Z', '2026-03-29T10:00:00Z', 'not-an-email', 'a@b.co',
  '999.1.1.1', '::1', 'https://example.com/x', 'javascript:alert(1)', 'JPEG', 'jpeg', 'photo', 'video', 'completed', 'started',
  "x' OR 1=1", '\u0000', '__proto__', 'ünï', 'd3b07384-d9a0-4c9f-8b2a-7c1e5f0a9b11',
];

type Json = Record<string, unknown>;

function paths(value: unknown, prefix: string[] = []): string[][] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [prefix];
  const out: string[][] = prefix.length > 0 ? [prefix] : [];
  for (const [key, item] of Object.entries(value as Json)) out.push(...paths(item, [...prefix, key]));
  return out;
}

/** Applies one random change: a field set to a hostile value, removed, or an unknown field added. */
function mutate(event: Json, random: () => number): Json {
  const copy = structuredClone(event);
  const all = paths(copy);
  const target = all[Math.floor(random() * all.length)];
  let parent: Json = copy;
  for (const key of target.slice(0, -1)) parent = parent[key] as Json;
  const last = target[target.length - 1];
  const roll = random();
  if (roll < 0.15) delete parent[last];
  else if (roll < 0.25) parent[`${last}_extra`] = 1;
  else parent[last] = HOSTILE_VALUES[Math.floor(random() * HOSTILE_VALUES.length)];
  return copy;
}

describe('compiled validator', () => {
  it.each(EVENT_TYPES)('accepts the %s example', (type) => {
    expect(passesCompiled(EVENT_EXAMPLES[type], EVENT_CLASSES[type])).toBe(true);
  });

  it('never accepts what class-validator rejects', () => {
    const random = generator(20261204);
    let rejectedByBoth = 0;
    let acceptedByBoth = 0;
    for (let index = 0; index < 20_000; index++) {
      const type = EVENT_TYPES[index % EVENT_TYPES.length] as EventType;
      let event = EVENT_EXAMPLES[type] as Json;
      const changes = 1 + Math.floor(random() * 3);
      for (let change = 0; change < changes; change++) event = mutate(event, random);

      const fast = passesCompiled(event, EVENT_CLASSES[type]);
      const slow = validateWithClassValidator(event, type).ok;
      if (fast !== slow) throw new Error(`case ${index}: compiled ${fast}, class-validator ${slow} for ${JSON.stringify(event)}`);
      if (fast) acceptedByBoth++;
      else rejectedByBoth++;
    }
    // The mutations must exercise both outcomes, or the comparison proves little.
    expect(acceptedByBoth).toBeGreaterThan(500);
    expect(rejectedByBoth).toBeGreaterThan(5000);
  });
});
