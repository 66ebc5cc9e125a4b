import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { OptOutModule } from '@sms/opt-out';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The opt-out service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'opt-out',
  defaultPort: 3007,
  imports: () => [AuthModule.forRoot({ adminRoutes: false }), OptOutModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`opt-out failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
