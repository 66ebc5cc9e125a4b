import type { ModuleRef } from '@nestjs/core';
import { CALLBACK_LOG_READER, type CallbackLogReader, RAW_RECEIPT_READER, type RawReceiptReader } from '@sms/contracts';
import type { TimelineReaders } from './message-timeline';

/** A provider of this process found on first use (intake does not import the module that has it), else the fallback. */
function lazyInProcess<T>(moduleRef: ModuleRef, token: string, fallback: T | null): () => T | null {
  let inProcess: T | null | undefined;

  return () => {
    if (inProcess === undefined) {
      try {
        inProcess = moduleRef.get<T>(token, { strict: false });
      } catch {
        inProcess = null;
      }
    }

    return inProcess ?? fallback;
  };
}

/**
 * Where a timeline's receipts and callbacks come from: dlr-ingest's and dlr-processor's modules in this
 * process (embedded), else the given remote readers (distributed), else none (the parts are `unavailable`).
 */
export function lazyTimelineReaders(
  moduleRef: ModuleRef,
  remote: { receipts: RawReceiptReader | null; callbacks: CallbackLogReader | null },
): TimelineReaders {
  return {
    receipts: lazyInProcess<RawReceiptReader>(moduleRef, RAW_RECEIPT_READER, remote.receipts),
    callbacks: lazyInProcess<CallbackLogReader>(moduleRef, CALLBACK_LOG_READER, remote.callbacks),
  };
}
