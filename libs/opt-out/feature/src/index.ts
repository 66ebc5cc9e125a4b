export * from './opt-out.module';
export { OptOutLedger } from './ledger/opt-out.ledger';
export { cannotReportOptOut, OptOutConsumer, type OptOutPolicy } from './inbound/opt-out.consumer';
export { keywordSet } from './keywords/opt-out-keywords';
