export * from './masking.module';
export { MaskSessions } from './sessions/mask-sessions';
