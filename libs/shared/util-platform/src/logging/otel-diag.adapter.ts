import { Logger } from '@nestjs/common';
import type { DiagLogger } from '@opentelemetry/api';

/** The SDK's diagnostic arguments (often an Error) as one line of text for the `detail` field. */
const describe = (args: readonly unknown[]): string | undefined =>
  args.length === 0
    ? undefined
    : args
        .map((arg) => (arg instanceof Error ? arg.message : typeof arg === 'string' ? arg : JSON.stringify(arg)))
        .join(' ');

/**
 * OpenTelemetry's diagnostics (an exporter failing to reach its collector) as the application's JSON
 * lines, context `otel`, so a broken exporter shows where every other problem does. The level filter is
 * the SDK's (OTEL_LOG_LEVEL); this only routes.
 */
export function otelDiagLogger(): DiagLogger {
  const logger = new Logger('otel');

  return {
    error: (message, ...args) => logger.error({ msg: message, detail: describe(args) }),
    warn: (message, ...args) => logger.warn({ msg: message, detail: describe(args) }),
    info: (message, ...args) => logger.log({ msg: message, detail: describe(args) }),
    debug: (message, ...args) => logger.debug({ msg: message, detail: describe(args) }),
    verbose: (message, ...args) => logger.verbose({ msg: message, detail: describe(args) }),
  };
}
