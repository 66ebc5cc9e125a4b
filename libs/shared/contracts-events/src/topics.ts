/**
 * Versioned topic names. A breaking payload change gets a new version (`.v2`) published beside the
 * old one until every consumer moved; never change a published version in place.
 */
export const TOPICS = {
  /** Send requests from internal producers (same fields as POST /v1/messages plus `id`). */
  send: 'sms.send.v1',
  /** A message is in the ledger and wants a route (first attempt and every retry). */
  accepted: 'sms.accepted.v1',
  /** A routed message for the send-worker; keyed by sender number so one partition owns its rate. */
  dispatch: 'sms.dispatch.v1',
  /**
   * Everything that happened to a message, in the order each source published it: intake applies it to the
   * ledger, router-health counts it.
   */
  status: 'sms.status.v1',
  /**
   * A copy of each status event of the send-worker (send results, sources `send-worker` and `reconcile`),
   * keyed by message: all that dlr-processor reads of the statuses, to correlate receipts (ADR 0027).
   */
  sendResult: 'sms.send.result.v1',
  /** A ledger status change of a message with a callback URL (intake → dlr-processor callbacks). */
  transition: 'sms.transition.v1',
  /** A stored raw delivery receipt webhook, for dlr-processor. */
  dlrRaw: 'sms.dlr.raw.v1',
  /** A stored raw inbound (MO) webhook, for dlr-processor. */
  inboundRaw: 'sms.inbound.raw.v1',
  /** A parsed inbound message, for opt-out and masking. */
  inbound: 'sms.inbound.v1',
  /**
   * A `sent` message past its provider's receipt deadline, for the send-worker to look up at the provider
   * (intake → send-worker; docs/reconciliation.md). Keyed by message id.
   */
  reconcile: 'sms.reconcile.v1',
  /** Opt-out changes (compacted, keyed by number and sender). */
  optout: 'sms.optout.v1',
  /**
   * A copy of each status event whose error class is `opted_out` (a provider-reported opt-out), keyed by
   * message: all that opt-out reads of the statuses, so it fetches none of the others (ADR 0027).
   */
  optoutReported: 'sms.optout.reported.v1',
  /** Masking pool numbers and session assignments (compacted), for intake's masked-destination lookups. */
  mask: 'sms.mask.v1',
  /**
   * Erasure commands (intake → every service that keeps numbers or bodies; docs/privacy.md). The number travels
   * sealed, never in clear. Keyed by the erasure id.
   */
  privacy: 'sms.privacy.v1',
  /** What each service erased for one command (every service → intake). Keyed by the erasure id. */
  privacyReport: 'sms.privacy.report.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Consumer groups, one per service. */
export const CONSUMER_GROUPS = {
  intake: 'intake',
  router: 'router',
  sendWorker: 'send-worker',
  dlrProcessor: 'dlr-processor',
  masking: 'masking',
  optOut: 'opt-out',
} as const;

/**
 * The send-worker's second group, on `sms.reconcile.v1` alone, so provider lookups never wait behind sends.
 * Not among CONSUMER_GROUPS, which each scale a service on their lag: this one carries a few lookups per
 * receipt deadline and rides on the send-worker replicas that dispatch lag scales.
 */
export const RECONCILE_CONSUMER_GROUP = 'send-worker-reconcile';

/**
 * Intake's second group, on `sms.inbound.v1` alone: the inbound store (GET /v1/inbound). Its own group so
 * inbound messages never wait behind the send and status topics; it rides on the intake replicas.
 */
export const INBOUND_STORE_CONSUMER_GROUP = 'intake-inbound';

/**
 * The groups that apply erasure commands, one per owning service: each service erases in its own slice, so
 * every one of them must read every command (one group each, not one shared group).
 */
export const PRIVACY_CONSUMER_GROUPS = {
  intake: 'intake-privacy',
  router: 'router-privacy',
  sendWorker: 'send-worker-privacy',
  dlrIngest: 'dlr-ingest-privacy',
  dlrProcessor: 'dlr-processor-privacy',
  masking: 'masking-privacy',
  optOut: 'opt-out-privacy',
} as const;

/** Intake's group on `sms.privacy.report.v1`: collects the slices' reports into `privacy_erasures`. */
export const PRIVACY_REPORT_CONSUMER_GROUP = 'intake-privacy-reports';

/**
 * Header of a global topic's record that another embedded region sent here (docs/regions.md, "Embedded
 * mode"): its value names that region. Such a record is applied locally and never sent on to the peers again,
 * so a change travels once from the region that made it to each other region, and no two regions echo it.
 */
export const PEER_ORIGIN_HEADER = 'sms-peer-origin';

/** Record header that carries a W3C traceparent across hops. */
export const TRACE_HEADER = 'traceparent';

/**
 * Header of every `sms.status.v1` record: the event's `source` (StatusEventSource), so a consumer that
 * needs only some sources can pass over the others without parsing them (dlr-processor reads the topic
 * for send results, and most records in a receipt storm are its own receipts coming back).
 */
export const STATUS_SOURCE_HEADER = 'sms-status-source';

/**
 * Header of every `sms.status.v1` record: the event's `errorClass`, empty when it has none, so opt-out, which
 * reads the topic only for provider-reported opt-outs, passes over the others without parsing them. A record
 * without it (an older producer) is parsed as before.
 */
export const STATUS_ERROR_CLASS_HEADER = 'sms-status-error-class';

/**
 * Header of every `sms.status.v1` record: the event's `kind` (StatusEventKind), so the router's health group,
 * which counts send results and final receipts, passes over the provider's intermediate `sent` receipts (a
 * third of the topic) without parsing them. A record without it (an older producer) is parsed.
 */
export const STATUS_KIND_HEADER = 'sms-status-kind';
