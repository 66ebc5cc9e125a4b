export * from './tracing.setup';
export * from './trace-context';
