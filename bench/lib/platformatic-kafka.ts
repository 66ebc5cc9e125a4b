/**
 * @platformatic/kafka for the client comparison in bus-cpu.bench.ts, loaded only if installed: it is not a
 * dependency of the project (evaluated and not adopted, docs/performance.md § Bus). It declares Node ≥ 22.22
 * and calls Promise.withResolvers, which Node 20 lacks; the bench adds that one call so it can be measured.
 */
import './promise-with-resolvers';

export interface PlatformaticMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  readonly value: string;
}

export interface PlatformaticStream extends AsyncIterable<PlatformaticMessage> {
  on(event: 'data', listener: (message: PlatformaticMessage) => void): this;
  close(): Promise<void>;
}

export interface PlatformaticConsumer {
  consume(options: { topics: string[]; mode: 'earliest'; autocommit: boolean }): Promise<PlatformaticStream>;
  commit(options: {
    offsets: { topic: string; partition: number; offset: bigint; leaderEpoch: number }[];
  }): Promise<void>;
  close(force?: boolean): Promise<void>;
}

export interface PlatformaticProducer {
  send(options: {
    messages: { topic: string; key: string; value: string; headers: Record<string, string>; partition: number }[];
  }): Promise<unknown>;
  close(): Promise<void>;
}

export interface PlatformaticKafka {
  readonly Producer: new (options: Record<string, unknown>) => PlatformaticProducer;
  readonly Consumer: new (options: Record<string, unknown>) => PlatformaticConsumer;
  readonly ProduceAcks: { readonly ALL: number };
  readonly stringSerializers: unknown;
  readonly stringDeserializers: unknown;
}

let loaded: PlatformaticKafka | null | undefined;

/** The module, or null when it is not installed. */
export function loadPlatformatic(): PlatformaticKafka | null {
  if (loaded === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('@platformatic/kafka') as PlatformaticKafka;
    } catch {
      loaded = null;
    }
  }

  return loaded;
}
