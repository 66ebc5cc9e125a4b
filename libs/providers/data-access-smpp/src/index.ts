export { corkForThisTick } from './smpp.bind';
export { classifyCommandStatus, RECEIPT_STATES, SMPP_STATUS, statusCode, statusName } from './smpp.codes';
export { parseSmppConfig, SMPP_CONFIG_DEFAULTS, SMPP_CONFIG_KEYS, type SmppConfig } from './smpp.config';
export { SMPP_WEBHOOK_CONTENT_TYPE, SMPP_WEBHOOK_METHOD, type SmppDeliverRecord } from './smpp.deliver';
export {
  buildSubmitParts,
  concatUdh,
  decodeText,
  gsm7Septets,
  gsm7Text,
  packSeptets,
  splitUdh,
  unpackSeptets,
} from './smpp.encoding';
export {
  parseReceiptErrorOverrides,
  receiptErrorTable,
  SMPP_SMSC_FAMILIES,
  SmppReceiptErrorClassifier,
  type SmppSmscFamily,
} from './smpp.receipt-errors';
export { formatReceiptDate, normaliseSmppMessageId, parseReceiptText, type SmppIdBase } from './smpp.receipt';
export { type PushedWebhookSink, type SmppLogger, SmppSmsProvider } from './smpp.provider';
