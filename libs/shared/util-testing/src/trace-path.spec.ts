import { followTrace, type SpanRecord } from './trace-path';

const span = (spanId: string, name: string, parentSpanId?: string): SpanRecord => ({
  name,
  service: 'gateway',
  traceId: 't1',
  spanId,
  ...(parentSpanId === undefined ? {} : { parentSpanId }),
  links: [],
  attributes: {},
});

describe('followTrace', () => {
  const root = span('r', 'POST /v1/messages');
  const named = (name: string) => (candidate: SpanRecord) => candidate.name === name;

  it('follows the chain through whichever of two same-named spans it runs', () => {
    // Two groups consume the dispatch; only the second one's span has the provider call below it.
    const spans = [
      root,
      span('a', 'sms.dispatch.v1 process', 'r'),
      span('b', 'sms.dispatch.v1 process', 'r'),
      span('c', 'provider twilio send', 'b'),
    ];

    const path = followTrace(spans, root, [named('sms.dispatch.v1 process'), named('provider twilio send')]);

    expect(path.map((s) => s.spanId)).toEqual(['r', 'b', 'c']);
  });

  it('names the first step no candidate chain reaches', () => {
    const spans = [root, span('a', 'sms.dispatch.v1 process', 'r')];

    expect(() =>
      followTrace(spans, root, [named('sms.dispatch.v1 process'), named('provider twilio send')], (i) => `hop ${i}`),
    ).toThrow(/no hop 1 below step 0/);
  });
});
