import 'reflect-metadata';
import { EventType, validateEvent, validateWithClassValidator } from '@gallery/contract';
import { Workload } from './workload';

/**
 * Measures event validation per event on one core: the path ingest and consumer use
 * (`validateEvent`, compiled check first) against class-validator alone. Run with
 * `npm run bench:validation`.
 */
function microsecondsPerEvent(events: Array<Record<string, unknown>>, validate: (event: Record<string, unknown>) => boolean, rounds: number): number {
  for (const event of events.slice(0, 1000)) validate(event);
  const started = performance.now();
  for (let round = 0; round < rounds; round++) {
    for (const event of events) if (!validate(event)) throw new Error(`a generated event failed validation: ${JSON.stringify(event)}`);
  }
  return ((performance.now() - started) * 1000) / (events.length * rounds);
}

const workload = new Workload();
const events = Array.from({ length: 20_000 }, () => workload.nextEnvelope().event as unknown as Record<string, unknown>);
const compiled = microsecondsPerEvent(events, (event) => validateEvent(event).ok, 5);
const classValidator = microsecondsPerEvent(events, (event) => validateWithClassValidator(event, event.type as EventType).ok, 2);
console.log(`validateEvent (compiled check first): ${compiled.toFixed(1)} µs/event`);
console.log(`class-transformer + class-validator:   ${classValidator.toFixed(1)} µs/event`);
