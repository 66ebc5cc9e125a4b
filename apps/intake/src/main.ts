import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { IntakeModule } from '@sms/intake';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The intake service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'intake',
  defaultPort: 3001,
  imports: () => [AuthModule.forRoot({ adminRoutes: true }), IntakeModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`intake failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
