import { PhoneNumberEntity } from './entities/phone-number.entity';
import { ProviderEntity } from './entities/provider.entity';
import { RouteRateEntity } from './entities/route-rate.entity';
import { CreateRouterSchema1763770200000 } from './migrations/1763770200000-CreateRouterSchema';

export const ROUTER_ENTITIES = [ProviderEntity, PhoneNumberEntity, RouteRateEntity];
export const ROUTER_MIGRATIONS = [CreateRouterSchema1763770200000];
