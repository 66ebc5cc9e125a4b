export * from './opt-out.module';
export { OptOutLedger } from './ledger/opt-out.ledger';
