import { smartEncode } from '@sms/segments';
import type { ValidatedMessage } from './message-request.validator';

/**
 * Applies smart encoding to a validated send when the request asks for it, or leaves it to the account's
 * default when the request does not say (docs/api.md "Smart encoding"). The body, encoding and segments become
 * what is sent and billed; `segmentsSaved` says what it saved (0 when off or when nothing changed).
 */
export function withSmartEncoding(message: ValidatedMessage, accountDefault: boolean): ValidatedMessage {
  if (!(message.smartEncoding ?? accountDefault)) {
    return { ...message, segmentsSaved: 0 };
  }
  const encoded = smartEncode(message.body);

  return {
    ...message,
    body: encoded.body,
    encoding: encoded.encoding,
    segments: encoded.segments,
    segmentsSaved: encoded.segmentsSaved,
  };
}
