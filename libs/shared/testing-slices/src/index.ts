export * from './slice-engines';
