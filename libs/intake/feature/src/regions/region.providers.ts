import type { Provider } from '@nestjs/common';
import { AccountService } from '@sms/auth';
import { REGION_CONFIG, type RegionConfig, SINGLE_REGION } from '@sms/platform';
import { RegionForwarder } from './region-forwarder';
import { RegionGate } from './region-gate';

export { RegionRoutesMount } from './region-routes.mount';

/** Intake's region gate and forwarder, from the platform's REGION_CONFIG (single region when absent). */
export const regionProviders: Provider[] = [
  {
    provide: RegionGate,
    inject: [{ token: REGION_CONFIG, optional: true }, AccountService],
    useFactory: (config: RegionConfig | undefined, accounts: AccountService) =>
      new RegionGate(config ?? SINGLE_REGION, (accountId) => accounts.dataResidencyOf(accountId)),
  },
  {
    provide: RegionForwarder,
    inject: [{ token: REGION_CONFIG, optional: true }],
    useFactory: (config: RegionConfig | undefined) => new RegionForwarder(config ?? SINGLE_REGION),
  },
];
