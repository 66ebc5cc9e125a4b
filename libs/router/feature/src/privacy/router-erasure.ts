import type { OnApplicationBootstrap } from '@nestjs/common';
import type { Bus } from '@sms/bus';
import { PRIVACY_CONSUMER_GROUPS, TOPICS } from '@sms/contracts';
import { erasureCommandHandler, type ErasureIdentity, type ErasureTarget, type SliceEraser } from '@sms/persistence';
import { stickyKeyOf } from '../routing/routing-engine';
import type { RoutingState } from '../state/routing-state';

/** The part of the number lookups erasure needs: dropping one number's cached answer. */
export interface LookupForgetter {
  forget(e164: string): Promise<number>;
}

/**
 * The router's part of an erasure (docs/privacy.md): its tables hold the platform's own numbers only; what it
 * keeps about a recipient is the sticky sender, under an unsalted hash of the number (guessable by trying
 * numbers), and the number's cached lookup answer (its network, carrier and line type), so both go.
 */
export class RouterEraser implements SliceEraser {
  readonly slice = 'router' as const;

  constructor(
    private readonly state: RoutingState,
    private readonly lookups?: LookupForgetter,
  ) {}

  async erase(target: ErasureTarget): Promise<Record<string, number>> {
    return {
      'routing-state:sticky': await this.state.forgetSticky(stickyKeyOf(target.number)),
      ...(this.lookups ? { 'number-lookup:cache': await this.lookups.forget(target.number) } : {}),
    };
  }
}

/** The router's `sms.privacy.v1` group. */
export class RouterErasureSubscriber implements OnApplicationBootstrap {
  constructor(
    private readonly bus: Bus,
    private readonly identity: ErasureIdentity,
    private readonly state: RoutingState,
    private readonly lookups?: LookupForgetter,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.subscribe({
      groupId: PRIVACY_CONSUMER_GROUPS.router,
      topics: [TOPICS.privacy],
      handler: erasureCommandHandler({
        ...this.identity,
        erasers: [new RouterEraser(this.state, this.lookups)],
        publish: (records) => this.bus.publish(records),
      }),
    });
  }
}
