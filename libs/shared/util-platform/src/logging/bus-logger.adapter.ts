import { Logger } from '@nestjs/common';
import type { BusLogger } from '@sms/bus';

/**
 * The bus's narrow logger over the application's logger, so bus problems (retries, DLQ, consumer
 * crashes) are JSON lines like every other: with the service name, the trace id of the record being
 * handled, and the same redaction.
 */
export function busLoggerFor(context = 'bus'): BusLogger {
  const logger = new Logger(context);

  return {
    debug: (message, fields) => logger.debug({ msg: message, ...fields }),
    info: (message, fields) => logger.log({ msg: message, ...fields }),
    warn: (message, fields) => logger.warn({ msg: message, ...fields }),
    error: (message, fields) => logger.error({ msg: message, ...fields }),
  };
}
