/**
 * The console's reads of a message's timeline, the overview, conversations and provider health, through the
 * typed client's paths. The shapes below are what the pages read: each is checked against the generated
 * schema where it is returned (`as` only widens optional fields the pages treat as such).
 */
import { apiClientFor, type Schemas, unwrap } from './client';

export interface TimelineEvent {
  status: string;
  at: string;
  source?: string | null;
  provider?: string | null;
  errorCode?: string | null;
  errorMessage?: string | null;
  detail?: string | null;
}
export interface TimelineAttempt {
  attempt: number;
  provider: string;
  sender: string | null;
  providerMessageId: string | null;
  outcome: string;
  errorCode: string | null;
  cost: string | null;
  currency: string | null;
  startedAt: string;
  answeredAt: string | null;
}
export interface TimelineReceipt {
  id: string;
  provider: string;
  receivedAt: string;
  verified: boolean;
  contentType: string | null;
  headers: Record<string, unknown> | null;
  body: string;
}
export interface TimelineCallback {
  id: string;
  url: string;
  state: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: string;
  settledAt: string | null;
}
/** The decision as it was taken for the message: the explain body, or its short form (provider, sender, reason). */
export type TimelineRoute =
  Schemas['ExplainView'] | { provider: string | null; sender: string | null; reason: string | null };

export interface Timeline {
  message: Omit<Schemas['MessageDto'], 'events' | 'charges' | 'costs'> & { body?: string };
  events: TimelineEvent[];
  attempts: TimelineAttempt[];
  route: TimelineRoute | null;
  receipts: TimelineReceipt[];
  callbacks: TimelineCallback[];
  /** Parts the distributed mode could not read in time (e.g. receipts, callbacks): shown as such, not as none. */
  unavailable?: string[];
}

export interface Overview {
  perMinute: { minute: string; counts: Record<string, number> }[];
  routes: {
    provider: string;
    country: string;
    sent: number;
    delivered: number;
    deliveryRate: number | null;
    receiptLatencyMs: { p50: number | null; p95: number | null };
  }[];
  /** `amount` is null when limits (and so spend counting) are off. */
  spendToday: { amount: string | null; currency: string };
  alerts: { name: string; severity: string; summary: string; since: string }[];
}

export interface Conversation {
  ourNumber: string;
  theirNumber: string;
  lastAt: string;
  inbound: number;
  outbound: number;
  masked: boolean;
}
export interface ConversationMessage {
  direction: 'inbound' | 'outbound';
  id: string;
  body: string;
  status: string | null;
  at: string;
}
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

export interface HealthSeries {
  provider: string;
  country?: string;
  points: {
    at: string;
    deliveryRate: number | null;
    errorRate: number | null;
    latencyMs: number | null;
    circuit: string;
  }[];
}

export const pendingApi = (key: string) => {
  const client = apiClientFor(key);

  return {
    timeline: (id: string) =>
      unwrap(client.GET('/v1/messages/{id}/timeline', { params: { path: { id } } })) as Promise<Timeline>,
    overview: (minutes: number) =>
      unwrap(client.GET('/v1/stats/overview', { params: { query: { minutes } } })) as Promise<Overview>,
    conversations: (cursor?: string) =>
      unwrap(client.GET('/v1/inbound/conversations', { params: { query: { limit: 50, cursor } } })) as Promise<
        Page<Conversation>
      >,
    conversation: (ourNumber: string, theirNumber: string, cursor?: string) =>
      unwrap(
        client.GET('/v1/inbound/conversations/messages', {
          params: { query: { ourNumber, theirNumber, limit: 50, cursor } },
        }),
      ) as Promise<Page<ConversationMessage>>,
    providerHealth: (minutes: number) =>
      unwrap(client.GET('/v1/providers/health', { params: { query: { minutes } } })) as Promise<{
        data: HealthSeries[];
      }>,
  };
};

/** Today's spend as text: "not counted" when limits are off and the gateway keeps no spend counter. */
export const spendText = (spend: Overview['spendToday']): string =>
  spend.amount === null ? 'not counted (limits off)' : `${spend.amount} ${spend.currency}`;
