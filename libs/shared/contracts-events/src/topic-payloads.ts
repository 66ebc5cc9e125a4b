import type { TOPICS } from './topics';
import type { SendRequestedV1 } from './send-requested.event';
import type { DispatchRequestedV1, MessageAcceptedV1 } from './message-accepted.event';
import type { MessageTransitionV1, ReconcileRequestedV1, StatusChangedV1 } from './status-changed.event';
import type { InboundReceivedV1, WebhookStoredV1 } from './webhook-stored.event';
import type { OptOutChangedV1 } from './opt-out-changed.event';
import type { MaskDirectoryChangedV1 } from './mask-directory-changed.event';
import type { ErasureReportedV1, ErasureRequestedV1 } from './privacy-erasure.event';

/** The payload type of each topic, so a publisher cannot put the wrong shape on a topic. */
export interface TopicPayloads {
  [TOPICS.send]: SendRequestedV1;
  [TOPICS.accepted]: MessageAcceptedV1;
  [TOPICS.dispatch]: DispatchRequestedV1;
  [TOPICS.status]: StatusChangedV1;
  [TOPICS.sendResult]: StatusChangedV1;
  [TOPICS.optoutReported]: StatusChangedV1;
  [TOPICS.transition]: MessageTransitionV1;
  [TOPICS.dlrRaw]: WebhookStoredV1;
  [TOPICS.inboundRaw]: WebhookStoredV1;
  [TOPICS.inbound]: InboundReceivedV1;
  [TOPICS.reconcile]: ReconcileRequestedV1;
  [TOPICS.optout]: OptOutChangedV1;
  [TOPICS.mask]: MaskDirectoryChangedV1;
  [TOPICS.privacy]: ErasureRequestedV1;
  [TOPICS.privacyReport]: ErasureReportedV1;
}

export type TopicPayload<T extends keyof TopicPayloads> = TopicPayloads[T];
