import 'reflect-metadata';
import { ApiKeyService } from '@sms/auth';
import { DEFAULT_ACCOUNT_ID } from '@sms/contracts';
import { applyCpuPriority, installGracefulShutdown, loadConfig } from '@sms/platform';
import { SIMULATOR_PREFIX } from '@sms/providers';
import { ensureBootstrapApiKey } from './bootstrap-api-key';
import { buildGateway, servesConsole } from './gateway.app';
import { gatewayListenOptions } from './listen-options';

/** The whole gateway in one process: `npm start`. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Every part shares this one process here, so the values lower the whole gateway (a batch host's choice).
  applyCpuPriority(config.cpu);
  const app = await buildGateway(config);
  installGracefulShutdown(app);
  await app.listen(gatewayListenOptions(config.http));
  const { key, source } = await ensureBootstrapApiKey(config, app.get(ApiKeyService));
  const url = `http://${displayHost(config.http.host)}:${config.http.port}`;
  const banner = [
    '',
    `SMS gateway (${config.mode} mode) listening on ${url}` +
      (isWildcard(config.http.host) ? ` (bound to ${config.http.host}: every interface)` : ''),
    servesConsole(app)
      ? `  Console:    ${url}/console/   (sign in with the API key below)`
      : '  Console:    not built (run `npm run console:build`; docs/console.md)',
    `  API docs:   ${url}/docs`,
    `  API key:    ${key}   (from ${source}; scopes send, read, admin, operator)`,
    `  Account:    ${DEFAULT_ACCOUNT_ID}   (default; docs/accounts.md)`,
    config.simulator.enabled ? `  Providers:  simulated in-process at ${url}${SIMULATOR_PREFIX}` : '',
    config.metrics.port > 0 ? `  Metrics:    http://${config.metrics.host}:${config.metrics.port}/metrics` : '',
    config.metrics.token !== '' ? `  Metrics:    ${url}/metrics (Authorization: Bearer <METRICS_TOKEN>)` : '',
    '',
    'Send a message:',
    `  curl -s -X POST ${url}/v1/messages -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
    `       -d '{"to":"+447400123456","body":"Hello from the gateway"}'`,
    'Then follow it (use the id from the answer):',
    `  curl -s ${url}/v1/messages/<id> -H 'Authorization: Bearer ${key}'`,
    '',
  ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
  process.stdout.write(`${banner.join('\n')}\n`);
}

const isWildcard = (host: string): boolean => host === '0.0.0.0' || host === '::';

/** The address a local client uses: a wildcard bind is reached on loopback; an IPv6 literal needs brackets. */
function displayHost(host: string): string {
  if (isWildcard(host)) {
    return '127.0.0.1';
  }

  return host.includes(':') ? `[${host}]` : host;
}

main().catch((error: unknown) => {
  process.stderr.write(`gateway failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
