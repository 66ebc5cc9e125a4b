export * from './account.entity';
export * from './account-input';
export * from './account.service';
export * from './api-key.entity';
export * from './api-key.guard';
export * from './api-key.service';
export * from './auth.module';
export { ACCOUNT_NOT_FOUND } from './api-keys.controller';
export * from './dlq-replay.controller';
