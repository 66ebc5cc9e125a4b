import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { type AppConfig, createHttpApp, publicBaseUrlOf } from '@sms/platform';
import { SIMULATOR_PREFIX } from '@sms/providers';
import { simulatorPlugin } from '@sms/simulator';
import { GatewayModule } from './gateway.module';

/** Builds the embedded gateway (every service module, plus the simulator unless disabled); not listening yet. */
export function buildGateway(config: AppConfig): Promise<NestFastifyApplication> {
  return createHttpApp({
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
        });
      }
    },
  });
}
