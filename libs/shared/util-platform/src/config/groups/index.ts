export * from './config-groups';
export * from './infrastructure.config';
export * from './masking.config';
export * from './opt-out.config';
export * from './privacy.config';
export * from './receipts.config';
export * from './router.config';
export * from './intake.config';
