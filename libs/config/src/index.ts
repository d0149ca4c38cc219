export * from './env';
export * from './app-config';
export * from './api-keys';
export * from './api-key-store';
export * from './api-key-file';
