export * from './config-groups';
export * from './infrastructure.config';
