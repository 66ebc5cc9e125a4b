export * from './intake.module';
export { validateMessageRequest, type ValidatedMessage } from './messages/message-request.validator';
