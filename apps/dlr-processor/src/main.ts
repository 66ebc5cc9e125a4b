import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { DlrProcessorModule } from '@sms/dlr-processor';
import { ProvidersModule } from '@sms/providers';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The dlr-processor service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'dlr-processor',
  defaultPort: 3005,
  imports: () => [AuthModule.forRoot({ adminRoutes: false }), ProvidersModule.forRoot(), DlrProcessorModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`dlr-processor failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
