export * from './config-groups';
export * from './infrastructure.config';
export * from './privacy.config';
