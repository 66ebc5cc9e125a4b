export * from './dlr-processor.module';
