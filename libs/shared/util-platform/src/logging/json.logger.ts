import type { LoggerService, LogLevel } from '@nestjs/common';
import pino, { type Logger as PinoLogger } from 'pino';
import { activeTraceIds } from '@sms/tracing';
import { escapeLineBreaks, FREE_TEXT_KEYS, maskNumbersInText, REDACTED_KEYS, redactByField } from './redact';

export interface JsonLoggerOptions {
  /** Keys censored in structured fields in addition to {@link REDACTED_KEYS} (any case). */
  readonly redactKeys?: readonly string[];
}

/**
 * Nest's logger interface over pino: one JSON line per event with service and context. Numbers and
 * bodies are redacted by field (redact.ts): every structured value whose key is a known sensitive key
 * is censored at any depth; free text keeps its ids and addresses and only has its line breaks escaped.
 */
export class JsonLogger implements LoggerService {
  readonly pino: PinoLogger;

  constructor(service: string, level: string, destination?: pino.DestinationStream, options: JsonLoggerOptions = {}) {
    const keys = new Set([...REDACTED_KEYS, ...(options.redactKeys ?? []).map((key) => key.toLowerCase())]);
    this.pino = pino(
      {
        level,
        base: { service },
        formatters: {
          level: (label) => ({ level: label }),
          // Every structured line, whichever method wrote it (and the mixin's fields), passes here.
          log: (object) => redactByField(object, keys) as Record<string, unknown>,
        },
        // Every line carries the trace of the work that wrote it, so logs and traces join on trace_id.
        mixin: () => {
          const ids = activeTraceIds();

          return ids ? { trace_id: ids.traceId, span_id: ids.spanId } : {};
        },
        timestamp: pino.stdTimeFunctions.isoTime,
      },
      destination ?? JsonLogger.asyncStdout(),
    );
  }

  /** Buffered stdout (logging must not block the event loop), flushed when the process exits. */
  private static asyncStdout(): pino.DestinationStream {
    const stream = pino.destination({ sync: false });
    process.once('exit', () => {
      try {
        stream.flushSync();
      } catch {
        // nothing left to write to
      }
    });

    return stream;
  }

  log(message: unknown, context?: string): void {
    this.write('info', message, context);
  }

  error(message: unknown, stackOrContext?: string, context?: string): void {
    const ctx = context ?? (stackOrContext && !stackOrContext.includes('\n') ? stackOrContext : undefined);
    const stack = stackOrContext?.includes('\n') ? escapeLineBreaks(stackOrContext) : undefined;
    if (typeof message === 'object' && message !== null) {
      this.pino.error({
        context: ctx,
        ...(stack ? { stack } : {}),
        ...this.escapeFreeText(message as Record<string, unknown>),
      });

      return;
    }
    this.pino.error({ context: ctx, ...(stack ? { stack } : {}) }, this.text(message));
  }

  warn(message: unknown, context?: string): void {
    this.write('warn', message, context);
  }

  debug(message: unknown, context?: string): void {
    this.write('debug', message, context);
  }

  verbose(message: unknown, context?: string): void {
    this.write('trace', message, context);
  }

  setLogLevels(levels: LogLevel[]): void {
    if (levels.length === 0) {
      this.pino.level = 'silent';
    }
  }

  private write(level: 'info' | 'warn' | 'debug' | 'trace', message: unknown, context?: string): void {
    if (typeof message === 'object' && message !== null) {
      this.pino[level]({ context, ...this.escapeFreeText(message as Record<string, unknown>) });

      return;
    }
    this.pino[level]({ context }, this.text(message));
  }

  /** Free-text fields (msg, error, stack, ...) get their line breaks escaped like a plain message. */
  private escapeFreeText(fields: Record<string, unknown>): Record<string, unknown> {
    const escaped: Record<string, unknown> = { ...fields };
    for (const key of FREE_TEXT_KEYS) {
      const value = fields[key];
      if (typeof value === 'string') {
        escaped[key] = escapeLineBreaks(value);
      }
    }

    return escaped;
  }

  private text(message: unknown): string {
    // The message text is free text: E.164 numbers masked (redact.ts), line breaks escaped.
    return escapeLineBreaks(maskNumbersInText(typeof message === 'string' ? message : JSON.stringify(message)));
  }
}
