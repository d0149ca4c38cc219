export * from './kafka-client';
export * from './event-publisher';
