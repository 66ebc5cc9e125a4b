export * from './gateway.client';
export * from './mysql-test-database';
export * from './trace-path';
export * from './callback-receiver';
export * from './provider-fetch';
export * from './status-event';
export * from './packages-loaded';
