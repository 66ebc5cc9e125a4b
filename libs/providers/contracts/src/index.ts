export * from './provider.port';
export { fetchFailure } from './fetch-failure';
