export * from './tracing.setup';
export * from './trace-context';
export * from './producer.span';
