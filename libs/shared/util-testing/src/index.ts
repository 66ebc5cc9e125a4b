export * from './gateway.client';
