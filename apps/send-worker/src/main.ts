import 'reflect-metadata';
import { ProvidersModule } from '@sms/providers';
import { SendWorkerModule } from '@sms/send-worker';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The send-worker service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'send-worker',
  defaultPort: 3003,
  imports: () => [ProvidersModule.forRoot(), SendWorkerModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`send-worker failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
