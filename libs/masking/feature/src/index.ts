export * from './masking.module';
