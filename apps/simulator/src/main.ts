import { exitWithParent } from '@sms/platform';
import { simulatorPlugin, tokenControlAuth } from '@sms/simulator';
import Fastify, { LogController } from 'fastify';
import { loadSimulatorConfig } from './config/simulator.config';

/**
 * Stand-alone provider simulator for the distributed mode's tests and development: the same plugin the embedded
 * gateway mounts, on its own port. Runs only with SIM_ENABLED=true, its control routes need SIM_CONTROL_TOKEN,
 * and it signs with the SIM_* accounts it is given (simulator.config.ts).
 */
async function main(): Promise<void> {
  const config = loadSimulatorConfig(process.env);
  // No log lines per request: the simulator answers a provider call and posts two receipts per message, and
  // Fastify's "incoming request"/"request completed" pair cost about as much CPU as answering the request.
  // Warnings (a webhook that failed or was refused) and errors are still logged.
  const app = Fastify({
    logger: { level: process.env['LOG_LEVEL'] ?? 'info' },
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(simulatorPlugin, {
    prefix: config.prefix,
    publicBaseUrl: config.publicBaseUrl,
    controlAuth: tokenControlAuth(config.controlToken),
    webhookBaseUrl: config.webhookBaseUrl,
    twilio: config.accounts.twilio,
    vonage: config.accounts.vonage,
    sinch: config.accounts.sinch,
    aws: { ...config.accounts.aws, ...config.aws },
    smpp: { ...config.smpp, ...config.accounts.smpp, host: config.host },
    ...(config.seed !== undefined && { seed: config.seed }),
  });
  exitWithParent(process.env);
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`provider simulator listening on ${config.publicBaseUrl}${config.prefix}`);

  const shutdown = (signal: NodeJS.Signals): void => {
    app.log.info({ signal }, 'provider simulator shutting down');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'provider simulator failed to close');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // The logger may not exist yet (bad config): fall back to stderr so the reason is never lost.
  console.error(error);
  process.exit(1);
});
