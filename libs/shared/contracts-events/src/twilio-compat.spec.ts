import { MessageStatus, VALIDITY_EXPIRED } from './enums';
import {
  accountIdOfSid,
  accountSidOf,
  messageIdOfSid,
  messageSidOf,
  twilioErrorCodeOf,
  twilioStatusOf,
} from './twilio-compat';

const ID = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';

describe('Twilio SIDs', () => {
  it('maps ids to AC/SM + 32 hex and back', () => {
    expect(accountSidOf(ID)).toBe('AC01a200f9a8ce71f8a6f3e2e9e67e11d9');
    expect(messageSidOf(ID.toUpperCase())).toBe('SM01a200f9a8ce71f8a6f3e2e9e67e11d9');
    expect(accountIdOfSid(accountSidOf(ID))).toBe(ID);
    expect(messageIdOfSid(messageSidOf(ID))).toBe(ID);
  });

  it.each(['', 'AC', `SM${'0'.repeat(32)}`, `AC${'0'.repeat(31)}`, `AC${'G'.repeat(32)}`, `ac${'0'.repeat(32)}`])(
    'refuses %j as an AccountSid',
    (sid) => {
      expect(accountIdOfSid(sid)).toBeNull();
    },
  );

  it('refuses an AccountSid as a MessageSid', () => {
    expect(messageIdOfSid(accountSidOf(ID))).toBeNull();
  });
});

describe('Twilio statuses and error codes', () => {
  it('names our statuses as Twilio does, unknown as its last certain state', () => {
    expect(Object.fromEntries(Object.values(MessageStatus).map((s) => [s, twilioStatusOf(s)]))).toEqual({
      scheduled: 'scheduled',
      queued: 'queued',
      sending: 'sending',
      sent: 'sent',
      delivered: 'delivered',
      failed: 'failed',
      undelivered: 'undelivered',
      unknown: 'sent',
      cancelled: 'canceled',
      expired: 'failed',
    });
  });

  it('reports an expired message as Twilio reports a queue overflow', () => {
    expect(twilioErrorCodeOf(VALIDITY_EXPIRED)).toBe(30001);
  });

  it("passes Twilio's five-digit codes through and makes the rest 30008", () => {
    expect(twilioErrorCodeOf('30003')).toBe(30003);
    expect(twilioErrorCodeOf('21610')).toBe(21610);
    expect(twilioErrorCodeOf('9')).toBe(30008);
    expect(twilioErrorCodeOf('err:027')).toBe(30008);
    expect(twilioErrorCodeOf('TIMEOUT')).toBe(30008);
    expect(twilioErrorCodeOf('012345')).toBe(30008);
    expect(twilioErrorCodeOf(null)).toBeNull();
    expect(twilioErrorCodeOf('')).toBeNull();
  });
});
