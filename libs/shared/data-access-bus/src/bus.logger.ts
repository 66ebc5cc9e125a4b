/**
 * The bus logs through this narrow interface so the lib stays framework-free; a service passes an
 * adapter over its pino or Nest logger. Context carries topic/partition/offset/groupId, never payloads.
 */
export interface BusLogger {
  debug(message: string, context?: Readonly<Record<string, unknown>>): void;
  info(message: string, context?: Readonly<Record<string, unknown>>): void;
  warn(message: string, context?: Readonly<Record<string, unknown>>): void;
  error(message: string, context?: Readonly<Record<string, unknown>>): void;
}

const noop = (): void => undefined;

export const silentBusLogger: BusLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** Default when a service passes none: only problems, as one JSON line each on stderr. */
export const consoleBusLogger: BusLogger = {
  debug: noop,
  info: noop,
  warn: (message, context) => console.warn(JSON.stringify({ level: 'warn', message, ...context })),
  error: (message, context) => console.error(JSON.stringify({ level: 'error', message, ...context })),
};

/** Error → log fields; stacks stay out of the DLQ header but are useful in the log. */
export const errorFields = (error: unknown): Record<string, unknown> =>
  error instanceof Error ? { error: `${error.name}: ${error.message}`, stack: error.stack } : { error: String(error) };
