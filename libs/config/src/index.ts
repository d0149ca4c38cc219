export * from './env';
export * from './app-config';
export * from './api-keys';
