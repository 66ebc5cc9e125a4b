import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ApiKeyService, ApiScope, holdsScope } from '@sms/auth';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { type AppConfig, createHttpApp, publicBaseUrlOf, serveConsole } from '@sms/platform';
import { SmppSmsProvider } from '@sms/provider-smpp';
import { ProviderRegistry, SIMULATOR_PREFIX } from '@sms/providers';
import { simulatorPlugin, type SimulatorControlAuth } from '@sms/simulator';
import { GatewayModule } from './gateway.module';
import { ensureSimulatorAccounts, withSimulatorAccounts } from './simulator-accounts';
import { withPrivacySalt, withWebhookSecretsKey } from './webhook-secrets-key';

const consoleServedBy = new WeakMap<NestFastifyApplication, boolean>();

/** Whether {@link buildGateway} found a console build to serve at /console (false: not built). */
export const servesConsole = (app: NestFastifyApplication): boolean => consoleServedBy.get(app) === true;

/**
 * Builds the embedded gateway (every service module, plus the simulator unless disabled); not listening yet.
 * With the simulator on, the providers it stands in for use its generated accounts (simulator-accounts.ts):
 * the app's APP_CONFIG is that effective configuration, so its secrets are what the adapters verify with.
 */
export async function buildGateway(configured: AppConfig): Promise<NestFastifyApplication> {
  const accounts = configured.simulator.enabled ? ensureSimulatorAccounts(configured.database.dataDir) : null;
  const config = withPrivacySalt(
    withWebhookSecretsKey(accounts ? withSimulatorAccounts(configured, accounts) : configured),
  );
  let simulatedSmscPort: number | null = null;
  let consoleServed = false;
  // The simulator's routes are registered before Nest has built the key service: they ask for it on use.
  let keys: ApiKeyService | null = null;
  const adminOnly: SimulatorControlAuth = async (credential) => {
    const principal = keys && credential !== null ? await keys.verify(credential) : null;
    if (!principal) {
      return 'unknown';
    }

    return holdsScope(principal, ApiScope.Admin) ? 'allowed' : 'forbidden';
  };
  const app = await createHttpApp({
    module: GatewayModule.forRoot(config),
    config,
    processName: 'gateway',
    isUnavailable: isDatabaseUnavailableError,
    configureFastify: async (fastify) => {
      // The web console (docs/console.md): static files only; it calls the public API like any other client.
      consoleServed = serveConsole(fastify);
      if (accounts) {
        await fastify.register(simulatorPlugin, {
          prefix: SIMULATOR_PREFIX,
          publicBaseUrl: `http://127.0.0.1:${config.http.port}${SIMULATOR_PREFIX}`,
          controlAuth: adminOnly,
          // The adapters give the simulator status-callback URLs on this base; nothing else is posted to.
          webhookBaseUrl: publicBaseUrlOf(config),
          twilio: accounts.twilio,
          vonage: accounts.vonage,
          sinch: accounts.sinch,
          // The simulated SNS topics deliver to our own AWS webhooks, already subscribed and confirmed.
          aws: {
            ...accounts.aws,
            region: config.providers.aws.region,
            eventsUrl: `${publicBaseUrlOf(config)}/webhooks/aws/status`,
            inboundUrl: `${publicBaseUrlOf(config)}/webhooks/aws/inbound`,
          },
          smpp: {
            port: config.simulator.smppPort,
            ...accounts.smpp,
            onListening: (port) => {
              simulatedSmscPort = port;
            },
          },
        });
      }
    },
  });
  keys = app.get(ApiKeyService);
  consoleServedBy.set(app, consoleServed);
  // The simulated SMSC may have picked its port (SMPP_SIM_PORT=0): aim the SMPP adapter at it before any bind.
  const smpp = app.get(ProviderRegistry).has('smpp') ? app.get(ProviderRegistry).get('smpp') : null;
  if (smpp instanceof SmppSmsProvider && simulatedSmscPort !== null && config.providers.simulated.includes('smpp')) {
    smpp.setTarget('127.0.0.1', simulatedSmscPort);
  }

  return app;
}
