export * from './tracing.setup';
export * from './trace-context';
export * from './http-client.span';
export * from './producer.span';
