export * from './provider.port';
export { fetchFailure } from './fetch-failure';
export {
  createProviderHttp,
  type ProviderHttp,
  type ProviderHttpInit,
  type ProviderHttpResponse,
} from './provider-http';
