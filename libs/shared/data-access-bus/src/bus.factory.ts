import type { BusConfig } from './bus.config';
import type { Bus } from './bus.port';
import { InProcessBus } from './in-process.bus';
import { KafkaBus } from './kafka.bus';
import { NamespacedBus } from './namespaced.bus';

/** One switch for the whole gateway: distributed services get Kafka, the embedded mode gets one process. */
export function createBus(config: BusConfig): Bus {
  switch (config.kind) {
    case 'kafka': {
      const { kind: _kind, topicPrefix, globalTopics, ...kafka } = config;
      const bus = new KafkaBus(kafka);

      return topicPrefix || globalTopics ? new NamespacedBus(bus, topicPrefix ?? '', globalTopics ?? null) : bus;
    }
    case 'in-process': {
      const { kind: _kind, ...inProcess } = config;

      return new InProcessBus(inProcess);
    }
    default: {
      const unknown: never = config;
      throw new RangeError(`Unsupported bus kind: ${(unknown as { kind: string }).kind}`);
    }
  }
}
