import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { MaskingModule } from '@sms/masking';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The masking service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'masking',
  defaultPort: 3006,
  imports: () => [AuthModule.forRoot({ adminRoutes: false }), MaskingModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`masking failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
