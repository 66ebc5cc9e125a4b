import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { type AppConfig, createHttpApp, publicBaseUrlOf } from '@sms/platform';
import { SmppSmsProvider } from '@sms/provider-smpp';
import { ProviderRegistry, SIMULATOR_PREFIX } from '@sms/providers';
import { simulatorPlugin } from '@sms/simulator';
import { GatewayModule } from './gateway.module';

/** Builds the embedded gateway (every service module, plus the simulator unless disabled); not listening yet. */
export async function buildGateway(config: AppConfig): Promise<NestFastifyApplication> {
  let simulatedSmscPort: number | null = null;
  const app = await createHttpApp({
    module: GatewayModule.forRoot(config),
    config,
    processName: 'gateway',
    isUnavailable: isDatabaseUnavailableError,
    configureFastify: async (fastify) => {
      if (config.SIMULATOR_ENABLED) {
        await fastify.register(simulatorPlugin, {
          prefix: SIMULATOR_PREFIX,
          publicBaseUrl: `http://127.0.0.1:${config.PORT}${SIMULATOR_PREFIX}`,
          twilio: { accountSid: config.TWILIO_ACCOUNT_SID, authToken: config.TWILIO_AUTH_TOKEN },
          vonage: {
            apiKey: config.VONAGE_API_KEY,
            apiSecret: config.VONAGE_API_SECRET,
            signatureSecret: config.VONAGE_SIGNATURE_SECRET,
          },
          sinch: {
            servicePlanId: config.SINCH_SERVICE_PLAN_ID,
            apiToken: config.SINCH_API_TOKEN,
            callbackSecret: config.SINCH_CALLBACK_SECRET,
          },
          // The simulated SNS topics deliver to our own AWS webhooks, already subscribed and confirmed.
          aws: {
            accessKeyId: config.AWS_ACCESS_KEY_ID,
            secretAccessKey: config.AWS_SECRET_ACCESS_KEY,
            region: config.AWS_REGION,
            eventsUrl: `${publicBaseUrlOf(config)}/webhooks/aws/status`,
            inboundUrl: `${publicBaseUrlOf(config)}/webhooks/aws/inbound`,
          },
          smpp: {
            port: config.SMPP_SIM_PORT,
            systemId: config.SMPP_SYSTEM_ID,
            password: config.SMPP_PASSWORD,
            onListening: (port) => {
              simulatedSmscPort = port;
            },
          },
        });
      }
    },
  });
  // The simulated SMSC may have picked its port (SMPP_SIM_PORT=0): aim the SMPP adapter at it before any bind.
  const smpp = app.get(ProviderRegistry).has('smpp') ? app.get(ProviderRegistry).get('smpp') : null;
  if (smpp instanceof SmppSmsProvider && simulatedSmscPort !== null && !config.SMPP_HOST) {
    smpp.setTarget('127.0.0.1', simulatedSmscPort);
  }

  return app;
}
