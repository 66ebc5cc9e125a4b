import { createHash } from 'node:crypto';
import {
  type DeliveryReport,
  DeliveryStatus,
  ErrorClass,
  type InboundMessage,
  ProviderError,
  ProviderId,
  type RawWebhook,
  type SendRequest,
  type SendResult,
  type SmsProvider,
  type LookupRequest,
  type LookupResult,
} from '@sms/provider-port';
import type * as smpp from 'smpp';
import { BindFailure, type SmppBind } from './smpp.bind';
import { classifyCommandStatus, parseStatusCode, SMPP_STATUS, statusCode, statusName } from './smpp.codes';
import type { SmppConfig } from './smpp.config';
import { SmppReceiptErrorClassifier } from './smpp.receipt-errors';
import {
  inboundFromRecord,
  isReceipt,
  readRecord,
  reportFromRecord,
  shortMessageBytes,
  SMPP_WEBHOOK_CONTENT_TYPE,
  SMPP_WEBHOOK_METHOD,
  type SmppDeliverRecord,
  webhookFromRecord,
} from './smpp.deliver';
import { buildSubmitParts } from './smpp.encoding';
import { MoAssembler } from './smpp.mo';
import { SmppPool } from './smpp.pool';
import { lookupFromQueryResponse } from './smpp.lookup';
import { normaliseSmppMessageId } from './smpp.receipt';

/** Where pushed receipts and MO go: dlr-ingest stores them like webhooks. Resolves once stored durably. */
export type PushedWebhookSink = (kind: 'status' | 'inbound', webhook: RawWebhook) => Promise<void>;

export interface SmppLogger {
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/**
 * SMPP 3.4 over a pool of binds (providers.md §5). Unlike the HTTP adapters it holds connections: it binds on
 * the first send, or at `startReceiving` where a receiver is attached (processes that only parse receipts never
 * connect), and is closed by the registry on shutdown. Receipts and MO arrive on the binds as deliver_sm and are pushed to the
 * attached sink; `verifyWebhook` accepts only such pushed records (they are authenticated by the bind itself,
 * see below), never an HTTP request.
 */
export class SmppSmsProvider implements SmsProvider {
  readonly id = ProviderId.Smpp;
  readonly pool: SmppPool;
  private sink: PushedWebhookSink | null = null;
  private concatRef = Math.floor(Math.random() * 256);
  private readonly mo: MoAssembler;
  /** Classes receipt `err:` codes by the SMSC's family and the operator's overrides. */
  readonly receiptErrors: SmppReceiptErrorClassifier;

  private readonly config: SmppConfig & { host: string; port: number };
  /** Every bind's window full: the most submits the SMSC lets this account have outstanding. */
  readonly maxInFlightSegments: number;

  constructor(
    config: SmppConfig,
    private readonly logger: SmppLogger = { log: () => undefined },
  ) {
    // A private copy: binds read host/port from it when they connect, so `setTarget` can still move them.
    this.config = { ...config };
    this.maxInFlightSegments = config.binds * config.window;
    this.receiptErrors = new SmppReceiptErrorClassifier(config.smscFamily, config.receiptErrorClasses);
    this.pool = new SmppPool(
      config.binds,
      this.config,
      config.acquireTimeoutMs,
      {
        onDeliver: (pdu, bind) => this.onDeliver(pdu, bind),
        log: (level, message) => this.logger.log(level, message),
      },
      // Without a receiver in this process, receipts must go to binds that have one: send-only binds.
      () => (this.sink === null ? 'transmitter' : 'transceiver'),
    );
    this.mo = new MoAssembler();
    this.mo.setExpiryHandler((record) => {
      const sink = this.sink;
      if (sink !== null) {
        sink('inbound', webhookFromRecord(record, this.origin('reassembly'))).catch((error: unknown) =>
          this.logger.log('error', `smpp: incomplete concatenated MO not stored: ${String(error)}`),
        );
      }
    });
  }

  private origin(suffix: string): string {
    return `smpp://${this.config.host}:${this.config.port}/${encodeURIComponent(this.config.systemId)}/${suffix}`;
  }

  /**
   * Attaches the receiver of deliver_sm (dlr-ingest): binds opened from now on are transceivers. Without a
   * receiver they are transmitters, so the SMSC sends receipts only to a process that can store them.
   */
  attachWebhookSink(sink: PushedWebhookSink): void {
    this.sink = sink;
  }

  /** Opens the binds now to receive receipts and MO (dlr-ingest calls it once its sink is attached). */
  startReceiving(): void {
    this.pool.start();
  }

  /**
   * Points the binds at another SMSC address before they connect: the in-process simulator may listen on a
   * port chosen at start (SMPP_SIM_PORT=0), known only after the registry was built.
   */
  setTarget(host: string, port: number): void {
    this.config.host = host;
    this.config.port = port;
  }

  /** Binds now instead of on the first send (e.g. to receive MO before anything was sent). */
  connect(): void {
    this.pool.start();
  }

  async close(): Promise<void> {
    this.mo.clear();
    await this.pool.close();
  }

  async send(request: SendRequest): Promise<SendResult> {
    this.concatRef = (this.concatRef + 1) & 0xff;
    const parts = buildSubmitParts(request.body, this.concatRef, this.config.gsm7Packing);
    // Every part is its own submit with its own message_id; each part's receipt reports that id, and
    // dlr-processor learns all of them from the send result's partIds and rolls the parts up.
    const outcomes = await Promise.allSettled(
      parts.map((part) =>
        this.submitOne({
          ...addressFields(request),
          esm_class: part.esmClass,
          data_coding: part.dataCoding,
          registered_delivery: 0x01,
          ...(request.validitySeconds !== undefined && { validity_period: relativeValidity(request.validitySeconds) }),
          short_message: part.shortMessage,
        }),
      ),
    );
    const ids = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : null));
    const firstFailure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (firstFailure) {
      const error = firstFailure.reason as ProviderError;
      // Some parts went out: resending the whole message would duplicate them, so this is ambiguous.
      if (ids.some((id) => id !== null) && !error.ambiguous) {
        throw new ProviderError(
          error.errorClass,
          error.code,
          `${error.message} (after other parts were accepted)`,
          true,
        );
      }
      throw error;
    }
    const partIds = ids as string[];
    const first = partIds[0] as string;

    return { providerMessageId: first, ...(partIds.length > 1 && { partIds }), status: DeliveryStatus.Sent };
  }

  /**
   * `query_sm` over a pooled bind, by the message_id the SMSC gave (with the source address it was sent
   * from). SMPP has no search: an ambiguous submit (no submit_sm_resp, so no id) cannot be looked up and is
   * `unknown`. Many SMSCs answer query_sm only for a while after submit; past that it is ESME_RQUERYFAIL.
   */
  async lookup(request: LookupRequest): Promise<LookupResult> {
    const id = request.providerMessageId;
    if (!id) {
      return { outcome: 'unknown', reason: 'SMPP has no search: query_sm needs the message_id' };
    }
    try {
      const bind = await this.pool.acquire();
      const { source_addr_ton, source_addr_npi, source_addr } = addressFields({
        messageId: request.messageId,
        to: request.to,
        from: request.from,
        body: '',
        encoding: 'GSM-7',
        segments: 1,
      });
      const response = await bind.query({
        // The canonical form of the id (hex, as submit_sm_resp gave it), upper-cased like most SMSCs issue them.
        message_id: id.toUpperCase(),
        source_addr_ton,
        source_addr_npi,
        source_addr,
      });

      return lookupFromQueryResponse(response.command_status, response, id);
    } catch (error) {
      return { outcome: 'unknown', reason: `query_sm failed: ${error instanceof Error ? error.message : 'error'}` };
    }
  }

  classifyError(code: string): ErrorClass {
    if (code.startsWith('err:')) {
      return this.receiptErrors.classOf(code);
    }
    if (code.startsWith('SMPP_')) {
      return ErrorClass.Transient;
    }
    const status = parseStatusCode(code);

    return Number.isNaN(status) ? ErrorClass.Permanent : classifyCommandStatus(status);
  }

  /**
   * SMPP receipts are not signed: they are trusted because they arrived over a bind we opened and authenticated
   * (system_id/password) to the configured SMSC. The adapter marks such records with method `SMPP`, which no HTTP
   * request can carry through the webhook routes, so a forged POST to /webhooks/smpp/* is stored unverified.
   */
  verifyWebhook(webhook: RawWebhook): boolean {
    return (
      webhook.method === SMPP_WEBHOOK_METHOD &&
      webhook.contentType === SMPP_WEBHOOK_CONTENT_TYPE &&
      webhook.url.startsWith('smpp://') &&
      readRecord(webhook) !== null
    );
  }

  parseDeliveryReports(webhook: RawWebhook): DeliveryReport[] {
    try {
      const record = readRecord(webhook);
      const report = record ? reportFromRecord(record, this.config.dlrIdBase, this.receiptErrors) : null;

      return report ? [report] : [];
    } catch {
      return [];
    }
  }

  parseInbound(webhook: RawWebhook): InboundMessage | null {
    try {
      const record = readRecord(webhook);
      // SMPP MO carries no id of its own: the hash of the stored record is stable across replays.
      const id = `mo-${createHash('sha256').update(webhook.body).digest('hex').slice(0, 24)}`;

      return record ? inboundFromRecord(record, id) : null;
    } catch {
      return null;
    }
  }

  /** One submit_sm through a pooled bind; resolves with the normalised message_id or throws a ProviderError. */
  private async submitOne(fields: Record<string, unknown>): Promise<string> {
    const bind = await this.pool.acquire();
    let response: smpp.Pdu;
    try {
      response = await bind.submit(fields);
    } catch (error) {
      if (error instanceof BindFailure) {
        throw new ProviderError(ErrorClass.Transient, error.code, error.message, error.written);
      }
      throw new ProviderError(ErrorClass.Transient, 'SMPP_ERROR', String(error), true);
    }
    const status = response.command_status;
    if (status === SMPP_STATUS.ESME_ROK && typeof response['message_id'] === 'string' && response['message_id']) {
      bind.accepted();

      return normaliseSmppMessageId(response['message_id'], 'hex');
    }
    if (status === SMPP_STATUS.ESME_RTHROTTLED) {
      bind.throttle();
    } else if (status === SMPP_STATUS.ESME_RINVBNDSTS) {
      bind.rebind();
    }
    if (status === SMPP_STATUS.ESME_ROK) {
      // Accepted without an id: it may be delivered, yet no receipt can ever be matched to it.
      throw new ProviderError(ErrorClass.Transient, 'SMPP_NO_MESSAGE_ID', 'submit_sm_resp without message_id', true);
    }

    return Promise.reject(new ProviderError(classifyCommandStatus(status), statusCode(status), statusName(status)));
  }

  private async onDeliver(pdu: smpp.Pdu, bind: SmppBind): Promise<number> {
    const sink = this.sink;
    if (sink === null) {
      return SMPP_STATUS.ESME_RX_T_APPN;
    }
    const record = recordFromPdu(pdu);
    const origin = this.origin(`bind/${bind.index}`);
    if (isReceipt(record.esm_class)) {
      await sink('status', webhookFromRecord(record, origin));

      return SMPP_STATUS.ESME_ROK;
    }
    if ((record.esm_class & 0x3c) !== 0) {
      return SMPP_STATUS.ESME_ROK; // other acknowledgements (manual/user ack): nothing for us
    }
    const complete = this.mo.add(record);
    if (complete) {
      await sink('inbound', webhookFromRecord(complete, origin));
    }

    return SMPP_STATUS.ESME_ROK;
  }
}

/** A deliver_sm PDU (as decoded by node-smpp) as the record we store. */
export function recordFromPdu(pdu: smpp.Pdu, now: Date = new Date()): SmppDeliverRecord {
  const dataCoding = Number(pdu['data_coding'] ?? 0);
  const esmClass = Number(pdu['esm_class'] ?? 0);
  let message = shortMessageBytes(pdu['short_message'], dataCoding);
  if (message.length === 0 && pdu['message_payload'] !== undefined) {
    message = shortMessageBytes(pdu['message_payload'], dataCoding);
  }
  const receipted = pdu['receipted_message_id'];
  const state = pdu['message_state'];
  const networkError = pdu['network_error_code'];

  return {
    v: 1,
    sequence_number: pdu.sequence_number,
    source_addr: textField(pdu['source_addr']),
    destination_addr: textField(pdu['destination_addr']),
    esm_class: esmClass,
    data_coding: dataCoding,
    short_message: message.toString('hex'),
    ...(typeof receipted === 'string' && receipted !== '' && { receipted_message_id: receipted }),
    ...(typeof state === 'number' && { message_state: state }),
    ...(Buffer.isBuffer(networkError) && { network_error_code: networkError.toString('hex') }),
    received_at: now.toISOString(),
  };
}

/**
 * TON/NPI by the shape of the address (providers.md §5): digits with `+` are international (1/1), a short
 * all-digit sender is a short code (3/0), anything with letters is alphanumeric (5/0).
 */
function addressFields(request: SendRequest): Record<string, unknown> {
  const from = request.from;
  let source: { ton: number; npi: number; addr: string };
  if (/^\+\d{6,15}$/.test(from)) {
    source = { ton: 1, npi: 1, addr: from.slice(1) };
  } else if (/^\d{3,8}$/.test(from)) {
    source = { ton: 3, npi: 0, addr: from };
  } else if (/^\d+$/.test(from)) {
    source = { ton: 1, npi: 1, addr: from };
  } else {
    source = { ton: 5, npi: 0, addr: from.slice(0, 11) };
  }

  return {
    source_addr_ton: source.ton,
    source_addr_npi: source.npi,
    source_addr: source.addr,
    dest_addr_ton: 1,
    dest_addr_npi: 1,
    destination_addr: request.to.replace(/^\+/, ''),
  };
}

/** SMPP relative time `YYMMDDhhmmss000R` (§7.1.1), capped by the format at 99 years but SMSCs cap far lower. */
export function relativeValidity(seconds: number): string {
  let rest = Math.max(1, Math.round(seconds));
  const days = Math.floor(rest / 86_400);
  rest -= days * 86_400;
  const hours = Math.floor(rest / 3_600);
  rest -= hours * 3_600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  const two = (n: number): string => String(Math.min(n, 99)).padStart(2, '0');

  return `0000${two(days)}${two(hours)}${two(minutes)}${two(secs)}000R`;
}

/** A C-string field of a decoded PDU; anything else (absent, malformed) reads as empty. */
function textField(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
