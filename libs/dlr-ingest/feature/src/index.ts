export * from './dlr-ingest.module';
