import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AuthModule } from '@sms/auth';
import { forwardedRoutes, IntakeModule } from '@sms/intake';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { forwardUpstreams, serveConsole, startService } from '@sms/platform';

/**
 * The intake service on its own (distributed mode): Kafka, MySQL and Redis from the environment. It is the
 * browser's one origin: it serves the web console's build at /console and forwards the public paths the
 * other services own to them (docs/api.md "One origin in the distributed mode").
 */
startService({
  name: 'intake',
  defaultPort: 3001,
  imports: () => [AuthModule.forRoot({ adminRoutes: true }), IntakeModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
  configureFastify: async (fastify, config) => {
    const logger = new Logger('intake-origin');
    const routes = forwardedRoutes(config.services);
    await forwardUpstreams(fastify, routes, { timeoutMs: config.services.forwardTimeoutMs });
    logger.log(`forwarding ${routes.map((route) => `${route.prefix} → ${route.upstream}`).join(', ') || 'nothing'}`);
    if (config.http.consoleDir !== '') {
      if (!serveConsole(fastify, { root: config.http.consoleDir })) {
        logger.warn(`the web console is not served: no build in ${config.http.consoleDir} (npm run console:build)`);
      }
    }
  },
}).catch((error: unknown) => {
  process.stderr.write(`intake failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
