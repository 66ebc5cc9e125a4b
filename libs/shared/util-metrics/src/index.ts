export * from './metric-definitions';
export * from './collectors';
