import { NonRetriableError, type ConsumedRecord } from '@sms/bus';
import { decodeEvent, InboundReceivedV1, TOPICS } from '@sms/contracts';
import type { InboundStore } from './inbound.store';

/**
 * Intake's own group on `sms.inbound.v1` (INBOUND_STORE_CONSUMER_GROUP), so inbound messages are stored
 * without waiting behind the send and status topics. A record that does not decode goes to the DLQ; a
 * store that cannot answer (the database, the number directory) throws and the record is retried.
 */
export class InboundConsumer {
  /**
   * @param afterStored runs for every record once it is stored, a redelivered one too (account webhooks'
   * `message.inbound`, which dedupe by event id): a crash between the two is then made good by the redelivery.
   */
  constructor(
    private readonly store: InboundStore,
    private readonly afterStored?: (event: InboundReceivedV1) => Promise<unknown>,
  ) {}

  handle = async (record: ConsumedRecord): Promise<void> => {
    if (record.topic !== TOPICS.inbound) {
      throw new NonRetriableError(`the inbound store does not consume ${record.topic}`);
    }
    const event = decodeEvent(InboundReceivedV1, record.value);
    await this.store.record(event);
    await this.afterStored?.(event);
  };
}
