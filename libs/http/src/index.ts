export * from './error-body';
export * from './exception.filter';
export * from './api-key.guard';
export * from './logger';
export * from './bootstrap';
export * from './health.controller';
export * from './exact-json';
