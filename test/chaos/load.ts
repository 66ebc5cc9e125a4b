/**
 * The fault suite's steady load: POST /v1/messages at a fixed rate, bounded in count and time, to a
 * loopback address only. Every request's outcome is kept (and optionally written as a JSON line), so the
 * checker can account for each one: accepted (202 + id), refused (4xx/5xx with the error code), failed
 * (no answer: connection refused or reset) or hung (no answer within the client's timeout).
 */
import { appendFileSync } from 'node:fs';

export type Outcome = 'accepted' | 'refused' | 'failed' | 'hung';

export interface RequestRecord {
  readonly seq: number;
  readonly at: string;
  readonly ms: number;
  readonly outcome: Outcome;
  readonly status?: number;
  readonly id?: string;
  readonly code?: string;
  readonly error?: string;
}

export interface LoadOptions {
  readonly url: string;
  readonly apiKey: string;
  /** Requests per second. */
  readonly rate: number;
  /** Most requests in all. */
  readonly maxRequests: number;
  /** Longest run. */
  readonly maxMs: number;
  /** A request without an answer after this is recorded as hung (and aborted). */
  readonly timeoutMs: number;
  /** Destinations, used in turn (they decide the route: country, provider). */
  readonly destinations: readonly string[];
  /** Optional JSON-lines log of every request. */
  readonly logFile?: string;
}

const LOOPBACK = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//;

export class LoadClient {
  readonly records: RequestRecord[] = [];
  private stopped = false;
  private running: Promise<void> | null = null;

  constructor(private readonly options: LoadOptions) {
    if (!LOOPBACK.test(`${options.url}/`)) {
      throw new Error(`the fault suite's load goes to loopback addresses only, not ${options.url}`);
    }
  }

  start(): void {
    this.running ??= this.loop();
  }

  /** Stops sending and waits for the requests in flight (each bounded by the timeout). */
  async stop(): Promise<RequestRecord[]> {
    this.stopped = true;
    await this.running;

    return this.records;
  }

  /** Resolves when the load has sent everything it was allowed to (count or time). */
  async finished(): Promise<RequestRecord[]> {
    await this.running;

    return this.records;
  }

  acceptedIds(): string[] {
    return this.records.flatMap((r) => (r.outcome === 'accepted' && r.id ? [r.id] : []));
  }

  private async loop(): Promise<void> {
    const started = Date.now();
    const inFlight = new Set<Promise<void>>();
    const interval = 1000 / this.options.rate;
    for (let seq = 0; seq < this.options.maxRequests && !this.stopped; seq++) {
      const due = started + seq * interval;
      if (due - started > this.options.maxMs) {
        break;
      }
      const wait = due - Date.now();
      if (wait > 0) {
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      if (this.stopped) {
        break;
      }
      const request = this.send(seq).finally(() => inFlight.delete(request));
      inFlight.add(request);
    }
    await Promise.all(inFlight);
  }

  private async send(seq: number): Promise<void> {
    const to = this.options.destinations[seq % this.options.destinations.length] as string;
    const at = new Date();
    const started = performance.now();
    let record: RequestRecord;
    try {
      const response = await fetch(`${this.options.url}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.apiKey}` },
        body: JSON.stringify({ to, body: `chaos ${seq}` }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      const text = await response.text();
      const body = safeJson(text) as { id?: string; error?: { code?: string } } | undefined;
      const ms = Math.round(performance.now() - started);
      record =
        response.status === 202 && body?.id
          ? { seq, at: at.toISOString(), ms, outcome: 'accepted', status: 202, id: body.id }
          : {
              seq,
              at: at.toISOString(),
              ms,
              outcome: 'refused',
              status: response.status,
              ...(body?.error?.code ? { code: body.error.code } : {}),
            };
    } catch (error) {
      const ms = Math.round(performance.now() - started);
      const name = error instanceof Error ? error.name : '';
      record = {
        seq,
        at: at.toISOString(),
        ms,
        outcome: name === 'TimeoutError' || name === 'AbortError' ? 'hung' : 'failed',
        error:
          error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error),
      };
    }
    this.records.push(record);
    if (this.options.logFile) {
      appendFileSync(this.options.logFile, `${JSON.stringify(record)}\n`);
    }
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
