export * from './sql';
export * from './clickhouse.service';
export * from './migrations';
export * from './event-row';
export * from './client-ip';
export * from './erasure';
export * from './event-keys';
export * from './json-lines';
