import { decodeEvent, StatusChangedV1, StatusEventKind, StatusEventSource } from '@sms/contracts';
import { canonicalMessageId, DeliveryStatus, ErrorClass, type SmsProvider } from '@sms/provider-port';
import {
  copyOf,
  kindOf,
  normaliseProviderMessageId,
  readingOf,
  receiptEvent,
  receiptEventId,
  sendRouteOf,
  uuidFrom,
  withSendRoute,
} from './receipt-events';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/;

describe(kindOf.name, () => {
  it.each<[DeliveryStatus, StatusEventKind | null]>([
    [DeliveryStatus.Queued, null],
    [DeliveryStatus.Sending, StatusEventKind.Sending],
    [DeliveryStatus.Sent, StatusEventKind.Sent],
    [DeliveryStatus.Delivered, StatusEventKind.Delivered],
    [DeliveryStatus.Undelivered, StatusEventKind.Undelivered],
    [DeliveryStatus.Failed, StatusEventKind.Failed],
  ])('%s → %s', (status, kind) => {
    expect(kindOf(status)).toBe(kind);
  });

  it('covers every DeliveryStatus', () => {
    for (const status of Object.values(DeliveryStatus)) {
      expect(kindOf(status)).not.toBeUndefined();
    }
  });
});

describe(receiptEventId.name, () => {
  it('is the same for the same webhook and position (a replayed receipt is the same event)', () => {
    expect(receiptEventId('42', 0)).toBe(receiptEventId('42', 0));
    expect(receiptEventId('7f9c6a8e-0000-4000-8000-000000000001', 3)).toBe(
      receiptEventId('7f9c6a8e-0000-4000-8000-000000000001', 3),
    );
  });

  it('keeps the ids of receipts processed before (a redelivery after an upgrade is the same event)', () => {
    // Values computed by the Hash-object implementation this replaced; a non-ASCII reading checks the UTF-8 bytes.
    expect(receiptEventId('42', 0)).toBe('547345ca-e1ce-5372-a9dd-bf234790d2b1');
    expect(receiptEventId('019af3c2-5b1e-7a10-9d3e-1c2b3a4d5e6f', 1, 'delivered|SM1|||delivered')).toBe(
      '019af3c2-5b1e-86ec-a1a2-b141db9143ca',
    );
    expect(receiptEventId('019af3c2-5b1e-7a10-9d3e-1c2b3a4d5e6f', 0, 'délivré|SM1')).toBe(
      '019af3c2-5b1e-89ac-ae1c-df00274d8988',
    );
    expect(uuidFrom('m-1:rollup:delivered')).toBe('e54543ed-b0bc-5def-aef3-899de1954e3e');
  });

  it('is UUID-shaped (version 5 nibble, RFC 4122 variant) and passes the contract', () => {
    const eventId = receiptEventId('42', 0);

    expect(eventId).toMatch(UUID);
    const event = {
      ...receiptEvent(
        'twilio',
        { providerMessageId: 'SM1', status: DeliveryStatus.Delivered, providerStatus: 'delivered' },
        StatusEventKind.Delivered,
        eventId,
        '2026-01-01T12:00:00.000Z',
      ),
      messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
    };
    expect(() => decodeEvent(StatusChangedV1, event)).not.toThrow();
  });

  it('differs per index and per webhook: 1,000 distinct ids for 10 webhooks × 100 reports', () => {
    const ids = new Set<string>();
    for (let webhook = 0; webhook < 10; webhook++) {
      for (let index = 0; index < 100; index++) {
        const id = receiptEventId(`webhook-${webhook}`, index);
        expect(id).toMatch(UUID);
        ids.add(id);
      }
    }

    expect(ids.size).toBe(1_000);
  });

  it('sorts with the stored receipt it comes from when that id is a UUIDv7 (the index fills at its end)', () => {
    const earlier = '019af3c2-7a10-7000-8000-000000000001';
    const later = '019af3c2-7a11-7000-8000-000000000002';
    const first = receiptEventId(earlier, 1, 'delivered|SM1');

    expect(first).toMatch(/^019af3c2-7a10-8[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(first).toBe(receiptEventId(earlier, 1, 'delivered|SM1'));
    expect(first).not.toBe(receiptEventId(earlier, 0, 'delivered|SM1'));
    expect(first).not.toBe(receiptEventId(earlier, 1, 'undelivered|SM1'));
    expect(first < receiptEventId(later, 0, 'sent|SM2')).toBe(true);
    expect(() =>
      decodeEvent(StatusChangedV1, {
        ...receiptEvent(
          'twilio',
          { providerMessageId: 'SM1', status: DeliveryStatus.Delivered, providerStatus: 'delivered' },
          StatusEventKind.Delivered,
          first,
          '2026-01-01T12:00:00.000Z',
        ),
        messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
      }),
    ).not.toThrow();
  });

  it.each([
    ['1', 0, '1', 1],
    ['1', 0, '2', 0],
    ['1', 10, '11', 0],
    ['1', 1, '11', 0],
  ])('(%s, %i) and (%s, %i) differ', (webhookA, indexA, webhookB, indexB) => {
    expect(receiptEventId(webhookA, indexA)).not.toBe(receiptEventId(webhookB, indexB));
  });
});

describe(receiptEvent.name, () => {
  it('carries the report, with the carrier time kept as detail', () => {
    const report = {
      providerMessageId: 'SM1',
      status: DeliveryStatus.Undelivered,
      providerStatus: 'undelivered',
      errorCode: '30003',
      errorClass: ErrorClass.Permanent,
      occurredAt: new Date('2026-01-01T11:59:00.000Z'),
    };

    expect(receiptEvent('twilio', report, StatusEventKind.Undelivered, 'id-1', '2026-01-01T12:00:00.000Z')).toEqual({
      eventId: 'id-1',
      kind: StatusEventKind.Undelivered,
      source: StatusEventSource.Dlr,
      attempt: null,
      provider: 'twilio',
      providerMessageId: 'SM1',
      errorCode: '30003',
      errorMessage: null,
      errorClass: ErrorClass.Permanent,
      ambiguous: null,
      cost: null,
      currency: null,
      detail: 'undelivered (carrier time 2026-01-01T11:59:00.000Z)',
      occurredAt: '2026-01-01T12:00:00.000Z',
    });
  });

  it('names the stored webhook it was read from, for the timeline', () => {
    const report = {
      providerMessageId: 'SM1',
      status: DeliveryStatus.Delivered,
      providerStatus: 'delivered',
    };
    const event = receiptEvent('twilio', report, StatusEventKind.Delivered, 'id-2', '2026-01-01T12:00:00.000Z', 'wh-7');

    expect(event.receiptId).toBe('wh-7');
  });

  it("carries a priced receipt's price (a provider figure, not an estimate) and network, and the price in its id", () => {
    const report = {
      providerMessageId: 'aws-1',
      status: DeliveryStatus.Delivered,
      providerStatus: 'TEXT_DELIVERED',
      price: { amount: '0.00645000', currency: 'USD' },
      network: '310800',
    };
    const event = receiptEvent(
      'aws',
      report,
      StatusEventKind.Delivered,
      receiptEventId('wh-8', 0),
      '2026-01-01T12:00:00.000Z',
    );

    expect(event).toMatchObject({ cost: '0.00645000', currency: 'USD', costEstimated: false, network: '310800' });
    expect(decodeEvent(StatusChangedV1, { ...event, messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5' })).toMatchObject(
      { cost: '0.00645000' },
    );
    const { price: _price, ...unpriced } = report;
    // A receipt read before prices were read keeps its event id; one read with its price is a new event.
    expect(readingOf(unpriced, 'aws-1')).toBe('delivered|aws-1|||TEXT_DELIVERED');
    expect(readingOf(report, 'aws-1')).toBe('delivered|aws-1|||TEXT_DELIVERED|0.00645000 USD');
  });

  it('trims provider message ids and compares them case-insensitively', () => {
    expect(normaliseProviderMessageId('  SM1\n')).toBe('sm1');
    expect(normaliseProviderMessageId('SMabc')).toBe(normaliseProviderMessageId('smABC'));
  });

  it('drops leading zeros of all-digit ids', () => {
    expect(normaliseProviderMessageId('000123')).toBe('123');
  });

  it("uses the adapter's own normaliser when it has one (SMPP hex vs decimal)", () => {
    const smpp = {
      normaliseMessageId: (id: string) => canonicalMessageId(id, { hex: 'decimal' }),
    } as unknown as SmsProvider;
    expect(normaliseProviderMessageId('1A2B', smpp)).toBe('6699');
    expect(normaliseProviderMessageId('0006699', smpp)).toBe('6699');
  });

  it('falls back to the default form when the adapter normaliser throws', () => {
    const broken = {
      normaliseMessageId: () => {
        throw new Error('bug');
      },
    } as unknown as SmsProvider;
    expect(normaliseProviderMessageId(' ID-7 ', broken)).toBe('id-7');
  });

  it('changes the event id when the parser reads something else (replay after a fix)', () => {
    expect(receiptEventId('w1', 0, 'delivered|x')).toBe(receiptEventId('w1', 0, 'delivered|x'));
    expect(receiptEventId('w1', 0, 'delivered|x')).not.toBe(receiptEventId('w1', 0, 'undelivered|x'));
  });
});

describe('the send route copied onto receipts (route quality on any router replica)', () => {
  const sent = {
    eventId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5',
    messageId: '6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d6',
    kind: StatusEventKind.Sent,
    source: StatusEventSource.SendWorker,
    attempt: 1,
    provider: 'twilio',
    providerMessageId: 'SM1',
    errorCode: null,
    errorMessage: null,
    errorClass: null,
    ambiguous: null,
    cost: null,
    currency: null,
    detail: null,
    country: 'GB',
    network: '23410',
    occurredAt: '2026-01-01T12:00:00.000Z',
  } as StatusChangedV1;
  const receipt = receiptEvent(
    'twilio',
    { providerMessageId: 'SM1', status: DeliveryStatus.Delivered, providerStatus: 'delivered' },
    StatusEventKind.Delivered,
    receiptEventId('wh-3', 0),
    '2026-01-01T12:00:03.000Z',
  );

  it("keeps a send result's time, country and network; a re-announcement's original send time", () => {
    expect(sendRouteOf(sent)).toEqual({ sentAt: Date.parse(sent.occurredAt), country: 'GB', network: '23410' });
    const reannounced = {
      ...sent,
      source: StatusEventSource.Reconcile,
      network: null,
      sentAt: '2026-01-01T11:00:00.000Z',
      occurredAt: '2026-01-01T13:00:00.000Z',
    };
    expect(sendRouteOf(reannounced)).toEqual({
      sentAt: Date.parse('2026-01-01T11:00:00.000Z'),
      country: 'GB',
      network: null,
    });
    expect(sendRouteOf({ ...sent, occurredAt: 'garbage' })).toBeNull();
  });

  it('copies the route onto the receipt, which still decodes as the contract', () => {
    const routed = withSendRoute(receipt, sendRouteOf(sent));

    expect(routed).toMatchObject({ sentAt: '2026-01-01T12:00:00.000Z', country: 'GB', network: '23410' });
    expect(() => decodeEvent(StatusChangedV1, { ...routed, messageId: sent.messageId })).not.toThrow();
  });

  it('leaves a receipt alone when its ref predates the route, and adds no empty network', () => {
    expect(withSendRoute(receipt, null)).toBe(receipt);
    const noNetwork = withSendRoute(receipt, { sentAt: Date.parse(sent.occurredAt), country: 'GB', network: null });
    expect(noNetwork).not.toHaveProperty('network');
  });

  it("keeps a receipt's own fields, adds only what it lacks, and leaves the receipt it was given unchanged", () => {
    const own = { ...receipt, sentAt: '2026-01-01T11:59:00.000Z', network: '23415' };
    const before = JSON.stringify(own);
    const routed = withSendRoute(own, { sentAt: Date.parse(sent.occurredAt), country: 'GB', network: '23410' });

    expect(routed).toEqual({ ...own, country: 'GB' });
    // The same fields in the same order as the spread it replaces: the published JSON is unchanged.
    expect(JSON.stringify(routed)).toBe(JSON.stringify({ ...own, country: 'GB' }));
    expect(JSON.stringify(own)).toBe(before);
  });
});

describe(copyOf.name, () => {
  it('is a shallow copy with the fields in their order, and absent fields stay absent', () => {
    const event = { b: 1, a: 'x', nested: { n: 1 }, none: null };
    const copy = copyOf(event);

    expect(copy).not.toBe(event);
    expect(Object.keys(copy)).toEqual(['b', 'a', 'nested', 'none']);
    expect(copy.nested).toBe(event.nested);
    copy.b = 2;
    expect(event.b).toBe(1);
    expect(copyOf({})).toEqual({});
  });
});
