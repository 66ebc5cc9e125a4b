import type { BusConfig } from './bus.config';
import type { Bus } from './bus.port';
import { InProcessBus } from './in-process.bus';
import { KafkaBus } from './kafka.bus';

/** One switch for the whole gateway: distributed services get Kafka, the embedded mode gets one process. */
export function createBus(config: BusConfig): Bus {
  switch (config.kind) {
    case 'kafka': {
      const { kind: _kind, ...kafka } = config;

      return new KafkaBus(kafka);
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
