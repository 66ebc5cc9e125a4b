export * from './send-worker.module';
export { DispatchHandler } from './sending/dispatch.handler';
export {
  overdueResendMayApply,
  ReceiptReconciler,
  RECEIPT_TIMEOUT,
  reconcileEvents,
} from './sending/receipt.reconciler';
