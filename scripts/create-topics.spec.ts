import { prefixedSpecs } from './create-topics';

const SPECS = [
  { topic: 'sms.accepted.v1', numPartitions: 12 },
  { topic: 'sms.optout.v1', numPartitions: 3 },
];

describe('create-topics names', () => {
  it('are the plain names without a prefix or regions', () => {
    expect(prefixedSpecs(SPECS, {}).map((s) => s.topic)).toEqual(['sms.accepted.v1', 'sms.optout.v1']);
  });

  it('put every topic under KAFKA_TOPIC_PREFIX, as the services do', () => {
    expect(prefixedSpecs(SPECS, { KAFKA_TOPIC_PREFIX: 'run1.' }).map((s) => s.topic)).toEqual([
      'run1.sms.accepted.v1',
      'run1.sms.optout.v1',
    ]);
  });

  it("put a region's topics under its prefix and the shared opt-out ledger under the global one", () => {
    const env = {
      REGION: 'eu',
      REGIONS: 'eu=https://a.example,us=https://b.example',
      KAFKA_TOPIC_PREFIX: 'eu.',
      KAFKA_GLOBAL_TOPIC_PREFIX: 'global.',
    };
    expect(prefixedSpecs(SPECS, env)).toEqual([
      { topic: 'eu.sms.accepted.v1', numPartitions: 12 },
      { topic: 'global.sms.optout.v1', numPartitions: 3 },
    ]);
  });
});
