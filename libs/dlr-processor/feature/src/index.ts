export * from './dlr-processor.module';
export { isOwnReceiptEvent, ReceiptProcessor } from './receipts/receipt.processor';
export { RateLimiter } from './receipts/rate-limiter';
export { CallbackDispatcher } from './callbacks/callback.dispatcher';
export { CallbackClient, signCallback } from './callbacks/callback.client';
export { CallbackState } from './database/entities/callback-delivery.entity';
export { UnmatchedReceiptsController } from './operations/unmatched-receipts.controller';
