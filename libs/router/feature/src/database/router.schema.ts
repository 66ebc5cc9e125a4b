import { CountryRuleEntity } from './entities/country-rule.entity';
import { NetworkRuleEntity } from './entities/network-rule.entity';
import { NumberLookupSettingEntity } from './entities/number-lookup-setting.entity';
import { PhoneNumberEntity } from './entities/phone-number.entity';
import { ProviderEntity } from './entities/provider.entity';
import { RouteQualityHourlyEntity } from './entities/route-quality-hourly.entity';
import { RouteRateEntity } from './entities/route-rate.entity';
import { RouteScoreWeightsEntity } from './entities/route-score-weights.entity';
import { CreateRouterSchema1763770200000 } from './migrations/1763770200000-CreateRouterSchema';
import { RoutingEngineSchema1763780400000 } from './migrations/1763780400000-RoutingEngineSchema';
import { PerCountryRouteIndexes1763790000000 } from './migrations/1763790000000-PerCountryRouteIndexes';
import { SenderGroupIndex1763800000000 } from './migrations/1763800000000-SenderGroupIndex';
import { AddNumberAccount1766300000100 } from './migrations/1766300000100-AddNumberAccount';
import { NumberPortability1767250000000 } from './migrations/1767250000000-NumberPortability';
import { RouteQualityAndWeights1767260000000 } from './migrations/1767260000000-RouteQualityAndWeights';
import { NetworkRules1767400000100 } from './migrations/1767400000100-NetworkRules';

export const ROUTER_ENTITIES = [
  ProviderEntity,
  PhoneNumberEntity,
  RouteRateEntity,
  CountryRuleEntity,
  NetworkRuleEntity,
  NumberLookupSettingEntity,
  RouteQualityHourlyEntity,
  RouteScoreWeightsEntity,
];
export const ROUTER_MIGRATIONS = [
  CreateRouterSchema1763770200000,
  RoutingEngineSchema1763780400000,
  PerCountryRouteIndexes1763790000000,
  SenderGroupIndex1763800000000,
  AddNumberAccount1766300000100,
  NumberPortability1767250000000,
  RouteQualityAndWeights1767260000000,
  NetworkRules1767400000100,
];
