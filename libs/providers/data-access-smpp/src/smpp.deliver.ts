import type { DeliveryReport, InboundMessage, RawWebhook } from '@sms/provider-port';
import { statusOfMessageState, statusOfStat } from './smpp.codes';
import { SmppReceiptErrorClassifier } from './smpp.receipt-errors';
import { DATA_CODING, decodeText, gsm7Septets, splitUdh } from './smpp.encoding';
import { normaliseSmppMessageId, parseReceiptText, type SmppIdBase } from './smpp.receipt';

/**
 * A received deliver_sm as stored in `inbound_webhooks.body` (JSON), so dlr-processor can parse it later and a
 * parser fix can replay it. It keeps the fields the parsers read, with short_message as hex bytes; a
 * concatenated MO is stored once, complete, with every part.
 */
export interface SmppDeliverRecord {
  readonly v: 1;
  readonly sequence_number: number;
  readonly source_addr: string;
  readonly destination_addr: string;
  readonly esm_class: number;
  readonly data_coding: number;
  /** Hex of short_message (UDH included) or of message_payload when short_message was empty. */
  readonly short_message: string;
  readonly receipted_message_id?: string;
  readonly message_state?: number;
  /** Hex of the 3-octet network_error_code TLV. */
  readonly network_error_code?: string;
  /** MO: every part in order (the first is the record itself when the message was not concatenated). */
  readonly parts?: readonly {
    readonly esm_class: number;
    readonly data_coding: number;
    readonly short_message: string;
  }[];
  readonly received_at: string;
}

/** Content type of stored deliver_sm records; the method marks them as having come over a bind, not HTTP. */
export const SMPP_WEBHOOK_CONTENT_TYPE = 'application/vnd.sms-gateway.smpp-deliver-sm+json';
export const SMPP_WEBHOOK_METHOD = 'SMPP';

/** esm_class bits 2-5: 0x04 SMSC delivery receipt; 0x08/0x10/0x20 are other acknowledgements. */
export function isReceipt(esmClass: number): boolean {
  return (esmClass & 0x3c) === 0x04;
}

/** A deliver_sm record as a RawWebhook for dlr-ingest; `origin` names the bind it came over. */
export function webhookFromRecord(record: SmppDeliverRecord, origin: string): RawWebhook {
  return {
    url: origin,
    method: SMPP_WEBHOOK_METHOD,
    headers: { 'content-type': SMPP_WEBHOOK_CONTENT_TYPE },
    body: JSON.stringify(record),
    contentType: SMPP_WEBHOOK_CONTENT_TYPE,
  };
}

export function readRecord(webhook: RawWebhook): SmppDeliverRecord | null {
  try {
    const value = JSON.parse(webhook.body) as Partial<SmppDeliverRecord> | null;
    if (
      value === null ||
      value.v !== 1 ||
      typeof value.short_message !== 'string' ||
      typeof value.esm_class !== 'number' ||
      typeof value.data_coding !== 'number' ||
      typeof value.source_addr !== 'string' ||
      typeof value.destination_addr !== 'string'
    ) {
      return null;
    }

    return value as SmppDeliverRecord;
  } catch {
    return null;
  }
}

/** Decodes one short_message (hex) to text, skipping a UDH when esm_class says there is one. */
export function messageText(part: { esm_class: number; data_coding: number; short_message: string }): string {
  const bytes = Buffer.from(part.short_message, 'hex');
  const payload = part.esm_class & 0x40 ? splitUdh(bytes).payload : bytes;

  return decodeText(payload, part.data_coding);
}

/**
 * The receipt a deliver_sm carries. The TLVs win over the text when present (providers.md §5); the text id is
 * read in `textIdBase` because many SMSCs print it in decimal while submit_sm_resp gave hex.
 */
export function reportFromRecord(
  record: SmppDeliverRecord,
  textIdBase: SmppIdBase,
  errors: SmppReceiptErrorClassifier = new SmppReceiptErrorClassifier(),
): DeliveryReport | null {
  if (!isReceipt(record.esm_class)) {
    return null;
  }
  const receipt = parseReceiptText(messageText(record));
  const tlvState = record.message_state === undefined ? null : statusOfMessageState(record.message_state);
  const stat = tlvState ?? (receipt ? statusOfStat(receipt.stat) : null);
  const rawId = record.receipted_message_id
    ? normaliseSmppMessageId(record.receipted_message_id, 'hex')
    : receipt
      ? normaliseSmppMessageId(receipt.id, textIdBase)
      : null;
  if (stat === null || rawId === null || rawId === '') {
    return null;
  }
  const networkError = record.network_error_code ? networkErrorOf(record.network_error_code) : undefined;
  const err = receipt?.err !== undefined && !/^0*$/.test(receipt.err) ? receipt.err : networkError;
  const errorClass = err === undefined ? undefined : errors.classify(err, stat.status);

  return {
    providerMessageId: rawId,
    status: stat.status,
    providerStatus: stat.word,
    ...(err !== undefined && { errorCode: `err:${err}` }),
    ...(errorClass !== undefined && { errorClass }),
    ...(receipt?.doneDate && { occurredAt: receipt.doneDate }),
  };
}

/** network_error_code TLV: type octet (1 ANSI-136, 2 IS-95, 3 GSM) then a 16-bit code; reported as `type-code`. */
function networkErrorOf(hex: string): string | undefined {
  const bytes = Buffer.from(hex, 'hex');
  if (bytes.length < 3) {
    return undefined;
  }
  const code = bytes.readUInt16BE(1);

  return code === 0 ? undefined : `${bytes[0]}-${code}`;
}

/** An MO (esm_class type bits 0): the text of every part joined, ids from the sequence and addresses. */
export function inboundFromRecord(record: SmppDeliverRecord, id: string): InboundMessage | null {
  if ((record.esm_class & 0x3c) !== 0) {
    return null;
  }
  const parts = record.parts && record.parts.length > 0 ? record.parts : [record];

  return {
    providerMessageId: id,
    from: toE164(record.source_addr),
    to: toE164(record.destination_addr),
    body: parts.map(messageText).join(''),
    receivedAt: new Date(record.received_at),
  };
}

/** International digits get their `+` back; short codes and alphanumerics stay as they are. */
function toE164(address: string): string {
  return /^\d{8,15}$/.test(address) ? `+${address}` : address;
}

/**
 * The bytes of short_message before node-smpp decoded them. The library turns short_message into text by
 * data_coding; we re-encode it to keep the stored record raw bytes (lossless for GSM-7, UCS-2, Latin-1, ASCII).
 */
export function shortMessageBytes(value: unknown, dataCoding: number): Buffer {
  if (Buffer.isBuffer(value)) {
    return value;
  }
  if (typeof value !== 'object' || value === null) {
    return Buffer.alloc(0);
  }
  const { message, udh } = value as { message?: unknown; udh?: unknown };
  const udhParts = Array.isArray(udh) ? (udh as Buffer[]) : [];
  const header =
    udhParts.length > 0
      ? Buffer.concat([Buffer.from([udhParts.reduce((sum, part) => sum + part.length, 0)]), ...udhParts])
      : Buffer.alloc(0);
  let body: Buffer;
  if (Buffer.isBuffer(message)) {
    body = message;
  } else if (typeof message !== 'string') {
    body = Buffer.alloc(0);
  } else {
    switch (dataCoding & 0x0f) {
      case DATA_CODING.smscDefault:
        body = Buffer.from(gsm7SeptetsLenient(message));
        break;
      case DATA_CODING.ucs2:
        body = Buffer.from(message, 'utf16le').swap16();
        break;
      case DATA_CODING.latin1:
        body = Buffer.from(message, 'latin1');
        break;
      default:
        body = Buffer.from(message, 'ascii');
    }
  }

  return Buffer.concat([header, body]);
}

function gsm7SeptetsLenient(text: string): number[] {
  try {
    return gsm7Septets(text);
  } catch {
    return [...text].flatMap((char) => {
      try {
        return gsm7Septets(char);
      } catch {
        return [0x20];
      }
    });
  }
}
