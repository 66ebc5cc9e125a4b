export * from './api-key.entity';
export * from './api-key.guard';
export * from './api-key.service';
export * from './auth.module';
export * from './dlq-replay.controller';
