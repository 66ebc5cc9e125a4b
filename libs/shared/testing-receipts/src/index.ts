export * from './receipts-pipeline';
