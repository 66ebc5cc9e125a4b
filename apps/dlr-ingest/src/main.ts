import 'reflect-metadata';
import { AuthModule } from '@sms/auth';
import { DlrIngestModule } from '@sms/dlr-ingest';
import { ProvidersModule } from '@sms/providers';
import { isDatabaseUnavailableError } from '@sms/persistence';
import { assertWebhookSecrets, startService } from '@sms/platform';

/** The dlr-ingest service on its own (distributed mode): Kafka, MySQL and Redis from the environment. */
startService({
  name: 'dlr-ingest',
  defaultPort: 3004,
  imports: () => [AuthModule.forRoot({ adminRoutes: false }), ProvidersModule.forRoot(), DlrIngestModule.forRoot()],
  isUnavailable: isDatabaseUnavailableError,
  // It verifies every provider webhook: public or missing secrets stop it before it takes traffic.
  checkConfig: assertWebhookSecrets,
}).catch((error: unknown) => {
  process.stderr.write(`dlr-ingest failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
