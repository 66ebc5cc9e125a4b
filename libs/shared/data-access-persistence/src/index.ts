export * from './database.config';
export * from './data-source.factory';
export * from './outbox';
export * from './transient-db-error';
export * from './transaction';
export * from './db-value';
export * from './bulk-insert';
export * from './group-commit';
