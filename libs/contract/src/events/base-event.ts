import { IsIn, IsInt, IsUUID, Matches } from 'class-validator';
import { EVENT_TYPES, EventType, SUPPORTED_SCHEMA_VERSIONS } from '../event-type';
import { COLLECTION_ID_PATTERN } from '../identifiers';
import { IsIsoInstant } from '../iso-instant';

/** Fields every event carries, whatever its type. */
export abstract class BaseEvent {
  /** Chosen by the producer; the idempotency key of the event within its account. */
  @IsUUID('all', { message: '$property must be a UUID' })
  event_id: string;

  @IsIn(EVENT_TYPES)
  type: EventType;

  @IsInt()
  @IsIn(SUPPORTED_SCHEMA_VERSIONS, { message: `$property must be one of: ${SUPPORTED_SCHEMA_VERSIONS.join(', ')}` })
  schema_version: number;

  @IsIsoInstant()
  occurred_at: string;

  @Matches(COLLECTION_ID_PATTERN, {
    message: '$property must be 1 to 128 letters, digits or . _ : ~ -, starting with a letter or digit',
  })
  collection_id: string;
}
