export * from './provider.port';
export { withDeadline } from './exchange-deadline';
export { fetchFailure } from './fetch-failure';
export {
  createProviderAgent,
  createProviderHttp,
  PROVIDER_CONNECTIONS_PER_ORIGIN,
  type ProviderHttp,
  type ProviderHttpInit,
  type ProviderHttpResponse,
} from './provider-http';
export {
  isMobileNetwork,
  type MobileNetwork,
  type NumberLookup,
  type NumberLookupFound,
  type NumberLookupResult,
  type NumberLookupUnknown,
} from './number-lookup.port';
