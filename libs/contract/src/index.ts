// class-transformer's @Type decorators read design-time metadata, so the polyfill loads with the contract.
import 'reflect-metadata';

export * from './event-type';
export * from './identifiers';
export * from './iso-instant';
export * from './parts';
export * from './events/base-event';
export * from './events/photo-downloaded.event';
export * from './events/video-download.event';
export * from './events/share-link.events';
export * from './events/favorite.events';
export * from './events/star.events';
export * from './registry';
export * from './validate-event';
export * from './envelope';
export * from './examples';
