export * from './opt-out.module';
export { OptOutLedger } from './ledger/opt-out.ledger';
export { cannotReportOptOut, OptOutConsumer, type OptOutPolicy, optOutPolicyOf } from './inbound/opt-out.consumer';
