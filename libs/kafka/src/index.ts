export * from './kafka-client';
export * from './event-publisher';
export * from './kafka-readiness';
export * from './message-signature';
