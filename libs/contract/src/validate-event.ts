import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { passesCompiled } from './compiled-validator';
import { EVENT_TYPES, EventType } from './event-type';
import { ActivityEvent, EVENT_CLASSES } from './registry';

/** One reason an input was rejected, located by its path in the request body. */
export interface FieldError {
  /** Path of the offending value, such as `events[3].occurred_at` or `client.email`. */
  field: string;
  message: string;
  /** The rejected value, shortened to at most 200 characters; absent when the field was missing. */
  value?: unknown;
}

export type EventValidationResult = { ok: true; event: ActivityEvent } | { ok: false; errors: FieldError[] };

const MAX_ECHOED_VALUE_LENGTH = 200;

function echoValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    return value.length > MAX_ECHOED_VALUE_LENGTH ? `${value.slice(0, MAX_ECHOED_VALUE_LENGTH)}…` : value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  const json = JSON.stringify(value) ?? String(value);
  return json.length > MAX_ECHOED_VALUE_LENGTH ? `${json.slice(0, MAX_ECHOED_VALUE_LENGTH)}…` : json;
}

function joinPath(prefix: string, property: string): string {
  if (/^\d+$/.test(property)) return `${prefix}[${property}]`;
  return prefix ? `${prefix}.${property}` : property;
}

function flattenErrors(errors: ValidationError[], prefix: string, out: FieldError[]): void {
  for (const error of errors) {
    const field = joinPath(prefix, error.property);
    if (error.constraints) {
      // Each property reports its constraints in declaration order. The first one that failed is
      // the most basic (wrong type before wrong length), so it is the one worth reading.
      for (const message of Object.values(error.constraints)) {
        const entry: FieldError = { field, message: message.replace(error.property, field) };
        const value = echoValue(error.value);
        if (value !== undefined) entry.value = value;
        out.push(entry);
      }
    }
    if (error.children?.length) flattenErrors(error.children, field, out);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Validates one event against the contract of its `type`: nested objects included, unknown fields
 * rejected. `path` prefixes every reported field, for example `events[3]`.
 */
export function validateEvent(input: unknown, path = ''): EventValidationResult {
  if (!isPlainObject(input)) {
    return { ok: false, errors: [{ field: path || '(body)', message: 'must be a JSON object', value: echoValue(input) }] };
  }

  const type = input.type;
  if (typeof type !== 'string' || !(EVENT_TYPES as readonly string[]).includes(type)) {
    const field = joinPath(path, 'type');
    const entry: FieldError = { field, message: `${field} must be one of: ${EVENT_TYPES.join(', ')}` };
    if (type !== undefined) entry.value = echoValue(type);
    return { ok: false, errors: [entry] };
  }

  // Most events are valid, and the compiled check accepts them without class-transformer's
  // copying; anything it rejects goes through class-validator for the detailed errors.
  if (passesCompiled(input, EVENT_CLASSES[type as EventType])) return { ok: true, event: input as unknown as ActivityEvent };
  return validateWithClassValidator(input, type as EventType, path);
}

/** Validates with class-validator alone; {@link validateEvent} uses it for every rejected event. */
export function validateWithClassValidator(input: Record<string, unknown>, type: EventType, path = ''): EventValidationResult {
  const instance = plainToInstance(EVENT_CLASSES[type], input, { enableImplicitConversion: false });
  const validationErrors = validateSync(instance, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    validationError: { target: false, value: true },
  });
  if (validationErrors.length > 0) {
    const errors: FieldError[] = [];
    flattenErrors(validationErrors, path, errors);
    return { ok: false, errors };
  }
  return { ok: true, event: instance as ActivityEvent };
}
