export * from './topics';
export * from './enums';
export * from './decode';
export * from './send-requested.event';
export * from './message-accepted.event';
export * from './status-changed.event';
export * from './webhook-stored.event';
export * from './topic-payloads';
