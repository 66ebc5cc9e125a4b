export * from './send-worker.module';
