export * from './opt-out-checker.port';
export * from './opt-out.replica';
export * from './opt-out-replica.module';
export * from './opt-out-keywords';
