import { Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type Provider } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { type AppConfig, GLOBAL_TOPICS, InvalidConfigError, type RegionConfig } from '@sms/platform';
import { PeerCaptureBus } from './peer-capture.bus';
import { PeerOutbox } from './peer-outbox';
import { PeerRelay } from './peer-relay';

/**
 * The embedded gateway as one region among several (docs/regions.md, "Embedded mode"; ADR 0024): the global
 * slices (the opt-out ledger) live in each process's own files, so what changes them, and erasures, must
 * reach the other regions' gateways. Records of the global topics are queued durably for each peer as they
 * are published (PeerCaptureBus), delivered in order over HTTP with the shared INTERNAL_API_TOKEN
 * (PeerRelay), and applied by the peer (RegionPeersController). Null without peers (no REGION, or one region).
 */
export interface RegionPeerSync {
  readonly wrapBus: (bus: Bus) => Bus;
  readonly providers: Provider[];
}

export function regionPeerSyncOf(config: AppConfig, region: RegionConfig): RegionPeerSync | null {
  const peers = [...region.regions.values()].filter((endpoint) => endpoint.name !== region.region);
  if (config.mode !== 'embedded' || region.region === null || peers.length === 0) {
    return null;
  }
  if (config.services.internalApiToken === '') {
    // Without it peers cannot authenticate each other, and a STOP made in one region would not block the others.
    throw new InvalidConfigError(
      'Invalid environment variables: INTERNAL_API_TOKEN (required in the embedded mode with REGIONS: the same ' +
        'secret in every region, for opt-outs and erasures to reach the other regions)',
    );
  }
  const outbox = new PeerOutbox(config.database.dataDir);
  const relay = new PeerRelay(
    outbox,
    region.region,
    peers.map((peer) => ({ name: peer.name, url: peer.intakeUrl })),
    config.services.internalApiToken,
  );

  @Injectable()
  class PeerRelayLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
    onApplicationBootstrap(): void {
      relay.start();
    }

    async onModuleDestroy(): Promise<void> {
      await relay.stop();
      outbox.close();
    }
  }

  return {
    wrapBus: (bus) =>
      new PeerCaptureBus(
        bus,
        outbox,
        GLOBAL_TOPICS,
        peers.map((peer) => peer.name),
        () => relay.wake(),
      ),
    providers: [PeerRelayLifecycle],
  };
}
