import 'reflect-metadata';
import { RouterModule } from '@sms/router';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { startService } from '@sms/platform';

/** The router service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'router',
  defaultPort: 3002,
  imports: () => [RouterModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
}).catch((error: unknown) => {
  process.stderr.write(`router failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
