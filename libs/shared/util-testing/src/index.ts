export * from './gateway.client';
export * from './mysql-test-database';
