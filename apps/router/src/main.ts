import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { ProvidersModule } from '@sms/providers';
import { RouterModule } from '@sms/router';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The router service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'router',
  defaultPort: 3002,
  // The operator API (/v1/providers, /v1/numbers, /v1/routes) checks API keys (intake owns them); the
  // provider registry tells the first-start seed which providers this deployment has adapters for.
  imports: () => [AuthModule.forRoot({ adminRoutes: false }), ProvidersModule.forRoot(), RouterModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`router failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
