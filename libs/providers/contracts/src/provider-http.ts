import { Agent, request } from 'undici';
import { isTracingActive, tracedHttpCall } from '@sms/tracing';

/** The part of a fetch request the HTTP adapters use; a `typeof fetch` (tests' mocks) satisfies it too. */
export interface ProviderHttpInit {
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body?: string;
  /** Aborts the request and the body read: the adapters bound the whole exchange with one timeout. */
  readonly signal?: AbortSignal;
}

/** The part of a fetch Response the HTTP adapters read. */
export interface ProviderHttpResponse {
  readonly ok: boolean;
  readonly status: number;
  text(): Promise<string>;
}

export type ProviderHttp = (url: string, init: ProviderHttpInit) => Promise<ProviderHttpResponse>;

/** How long an idle keep-alive connection to a provider is kept (servers usually close theirs at 5 s). */
const KEEP_ALIVE_MS = 4_000;

/**
 * The adapters' HTTP client: undici's `request` over a keep-alive Agent (one connection pool per provider
 * origin). Global fetch runs the same undici underneath but builds WHATWG Request, Headers, Response and a
 * web stream around every call, which costs more CPU than the call itself; this skips those layers.
 * Behaviour the adapters rely on is kept: redirects are never followed (a 3xx is answered as it is, like
 * any refusal), TLS is verified (undici's defaults), the caller's signal aborts both the request and the
 * body read, and errors carry the socket's `code` (ECONNREFUSED…) for fetchFailure to classify.
 */
export function createProviderHttp(agent: Agent = sharedAgent()): ProviderHttp {
  // With tracing on the call is a CLIENT span and carries its `traceparent`, so the provider's own spans
  // join the message's trace; off, the headers pass through untouched (no span, no copy).
  return (url, init) =>
    isTracingActive()
      ? tracedHttpCall(init.method, url, (trace) => send(agent, url, init, { ...init.headers, ...trace }))
      : send(agent, url, init, init.headers);
}

async function send(
  agent: Agent,
  url: string,
  init: ProviderHttpInit,
  headers: Record<string, string>,
): Promise<ProviderHttpResponse> {
  const response = await request(url, {
    method: init.method,
    headers,
    body: init.body,
    signal: init.signal,
    dispatcher: agent,
  });
  const status = response.statusCode;

  return {
    ok: status >= 200 && status < 300,
    status,
    text: () => response.body.text(),
  };
}

/**
 * Connections kept open to one provider origin at most; calls beyond them wait in the pool's queue for a
 * free one (the caller's signal still bounds the wait). Without a bound every dispatch of a burst opened a
 * socket of its own, and the ones only a peak used closed after the keep-alive and were opened again at the
 * next peak: a TCP connect and accept on both sides each time (docs/performance.md, "Send-worker:
 * provider call deadlines and connections"). Calls per second to one origin are at most this over the
 * provider's latency, so the bound stays far above what a provider's answer time and the senders' rates
 * need.
 */
export const PROVIDER_CONNECTIONS_PER_ORIGIN = 256;

/** The Agent the adapters share: keep-alive connections, at most `connections` per provider origin. */
export function createProviderAgent(connections: number = PROVIDER_CONNECTIONS_PER_ORIGIN): Agent {
  return new Agent({ keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: KEEP_ALIVE_MS * 2, connections });
}

let agent: Agent | undefined;

/** One Agent per process: its pools are keyed by origin, so every adapter shares connections per provider. */
function sharedAgent(): Agent {
  agent ??= createProviderAgent();

  return agent;
}
