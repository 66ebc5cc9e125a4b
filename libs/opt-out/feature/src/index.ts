export * from './opt-out.module';
export { OptOutLedger } from './ledger/opt-out.ledger';
export { cannotReportOptOut, OptOutConsumer, type OptOutPolicy, optOutPolicyOf } from './inbound/opt-out.consumer';
export { OptOutSettingsStore } from './settings/opt-out-settings';
export { RecentSenders } from './accounts/recent-senders';
