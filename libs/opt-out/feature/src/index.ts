export * from './opt-out.module';
