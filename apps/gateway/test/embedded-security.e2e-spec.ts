/**
 * Object-level authorisation over EVERY /v1 route the embedded gateway serves (issue 19). For each
 * route: no key is 401, a key of the route's account without its scope is 403, a key of another account
 * is 404 for the first account's objects (403 on the platform's operator-only routes), and a key with the
 * scope gets past authorisation. The route list is read from Nest's controllers; a route missing from
 * the table fails the suite, so a new route cannot ship without its row.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InboundStore } from '@sms/intake';
import { GatewayClient, type HttpAnswer } from '@sms/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway.harness';

jest.setTimeout(120_000);

type Scope = 'send' | 'read' | 'admin' | 'operator';

/** What a key of another account must get. */
type CrossAccount =
  /** The route acts on one object of the owner's account: another account is told it does not exist. */
  | { readonly kind: 'not-found' }
  /** A platform route: only operator keys pass, whatever their account. */
  | { readonly kind: 'operator-only' }
  /** The route acts in the caller's own account (create, list, own account): `check` proves it stays there. */
  | {
      readonly kind: 'own-account';
      readonly check: (answer: HttpAnswer<unknown>, owner: Owner) => void | Promise<void>;
    };

interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** As Nest declares it (`:param` placeholders). */
  readonly route: string;
  /** Scopes any one of which the route accepts; empty: any valid key. */
  readonly scopes: readonly Scope[];
  /** The concrete request, against an object the owner account just made where the route needs one. */
  readonly request: (owner: Owner) => Promise<{ path: string; body?: unknown }>;
  readonly crossAccount: CrossAccount;
}

/** The account whose objects are attacked, with a key holding every scope but operator. */
interface Owner {
  readonly accountId: string;
  readonly client: GatewayClient;
}

const party = (): string => `+4474009${String(randomInt(0, 100_000)).padStart(5, '0')}`;
/** A router seed number the suite gives to the owner's account, so inbound messages to it are the owner's. */
const OWNER_NUMBER = '+12025550143';
const NO_SUCH_ID = '01a200f9-a8ce-71f8-a6f3-e2e9e67e11d9';

async function createdId(answer: Promise<HttpAnswer<{ id?: string }>>): Promise<string> {
  const { status, body } = await answer;
  if (status !== 201 && status !== 202) {
    throw new Error(`fixture not created: ${status} ${JSON.stringify(body)}`);
  }

  return body.id as string;
}

const noKeysOf =
  (field: 'data') =>
  (answer: HttpAnswer<unknown>, owner: Owner): void => {
    const rows = (answer.body as Record<string, { accountId?: string }[]>)[field] ?? [];
    expect(answer.status).toBe(200);
    expect(rows.some((row) => row.accountId === owner.accountId)).toBe(false);
  };

/** The session the GET /v1/masks row's owner opened (another account must not list it). */
let ownersMask = '';

const emptyList = (answer: HttpAnswer<unknown>): void => {
  expect(answer.status).toBe(200);
  expect((answer.body as { data?: unknown[] }).data).toEqual([]);
};

/**
 * The owner's webhook subscription the webhook rows act on: made once per owner (an account may have only a
 * few), aimed at a reserved name that never resolves, so its deliveries fail without leaving the machine.
 */
const ownerWebhooks = new Map<string, Promise<string>>();
const WEBHOOK_URL = 'https://hooks.example/security-suite';
function ownerWebhookId(owner: Owner): Promise<string> {
  let id = ownerWebhooks.get(owner.accountId);
  if (!id) {
    id = createdId(owner.client.post('/v1/webhooks', { url: WEBHOOK_URL, events: ['message.status'] }));
    ownerWebhooks.set(owner.accountId, id);
  }

  return id;
}

/** One delivery of the owner's subscription: a message of the owner's, and its first status event's delivery. */
const ownerDeliveries = new Map<string, Promise<string>>();
function ownerDeliveryId(owner: Owner): Promise<string> {
  let found = ownerDeliveries.get(owner.accountId);
  if (!found) {
    found = (async () => {
      const webhook = await ownerWebhookId(owner);
      await createdId(owner.client.post('/v1/messages', { to: party(), body: 'security suite' }));
      for (let tries = 0; tries < 200; tries++) {
        const listed = await owner.client.get(`/v1/webhooks/${webhook}/deliveries`);
        const [first] = listed.body.data ?? [];
        if (first) {
          return first.id;
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('no webhook delivery recorded for the owner');
    })();
    ownerDeliveries.set(owner.accountId, found);
  }

  return found;
}

/** A key of the owner's account whose own limits the limits rows set and drop. */
async function ownerKeyId(owner: Owner): Promise<string> {
  return createdId(owner.client.post('/v1/api-keys', { name: 'limited', scopes: ['read'] }));
}

/** Set in beforeAll: files an inbound message under the owner's account (the number texted is its own). */
let ownerInbound: () => Promise<{ id: string; from: string }>;
/** Set in beforeAll: an erasure an operator asked for (only operators may). */
let operatorErasure: () => Promise<string>;

const ROUTES: readonly Route[] = [
  // Accounts and keys (auth slice).
  {
    method: 'POST',
    route: '/v1/accounts',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/accounts', body: { name: 'x' } }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/accounts',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/accounts' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/account',
    scopes: [],
    request: async () => ({ path: '/v1/account' }),
    crossAccount: {
      kind: 'own-account',
      check: (answer, owner) => {
        expect(answer.status).toBe(200);
        expect((answer.body as { id: string }).id).not.toBe(owner.accountId);
      },
    },
  },
  {
    method: 'PATCH',
    route: '/v1/account',
    scopes: ['admin'],
    request: async () => ({ path: '/v1/account', body: { smartEncoding: false } }),
    // Settings change the caller's own account only.
    crossAccount: {
      kind: 'own-account',
      check: (answer, owner) => {
        expect(answer.status).toBe(200);
        expect((answer.body as { id: string }).id).not.toBe(owner.accountId);
      },
    },
  },
  {
    method: 'POST',
    route: '/v1/api-keys',
    scopes: ['admin', 'operator'],
    request: async (owner) => ({
      path: '/v1/api-keys',
      body: { name: 'x', scopes: ['read'], accountId: owner.accountId },
    }),
    // Naming the owner's account from another account is refused outright.
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(403);
        expect(answer.body).toMatchObject({ error: { code: 'FORBIDDEN', field: 'accountId' } });
      },
    },
  },
  {
    method: 'GET',
    route: '/v1/api-keys',
    scopes: ['admin', 'operator'],
    request: async () => ({ path: '/v1/api-keys' }),
    crossAccount: { kind: 'own-account', check: noKeysOf('data') },
  },
  {
    method: 'DELETE',
    route: '/v1/api-keys/:id',
    scopes: ['admin', 'operator'],
    request: async (owner) => ({
      path: `/v1/api-keys/${await createdId(owner.client.post('/v1/api-keys', { name: 'victim', scopes: ['read'] }))}`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  // Messages (intake).
  {
    method: 'POST',
    route: '/v1/messages',
    scopes: ['send'],
    request: async () => ({ path: '/v1/messages', body: { to: party(), body: 'security suite' } }),
    crossAccount: {
      kind: 'own-account',
      check: (answer) => expect(answer.status).toBe(202),
    },
  },
  {
    method: 'POST',
    route: '/v1/messages/batch',
    scopes: ['send'],
    request: async () => ({
      path: '/v1/messages/batch',
      body: { messages: [{ to: party(), body: 'security suite' }] },
    }),
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ accepted: 1, results: [{ index: 0, status: 202 }] });
      },
    },
  },
  {
    method: 'POST',
    route: '/v1/messages/quote',
    scopes: ['send', 'read'],
    request: async (owner) => {
      const number = party();
      await owner.client.post('/v1/opt-outs', { number });

      return { path: '/v1/messages/quote', body: { to: number, body: 'security suite' } };
    },
    // The owner's opt-out of that number is not another account's.
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ optedOut: false });
      },
    },
  },
  {
    method: 'POST',
    route: '/v1/messages/:id/cancel',
    scopes: ['send'],
    // A message held `scheduled` an hour ahead: cancellable by its own account, 404 to another.
    request: async (owner) => ({
      path: `/v1/messages/${await createdId(
        owner.client.post('/v1/messages', {
          to: party(),
          body: 'security suite',
          sendAt: new Date(Date.now() + 3_600_000).toISOString(),
        }),
      )}/cancel`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/messages/:id',
    scopes: ['read'],
    request: async (owner) => ({
      path: `/v1/messages/${await createdId(owner.client.post('/v1/messages', { to: party(), body: 'secret body' }))}`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/messages',
    scopes: ['read'],
    request: async (owner) => {
      const to = party();
      await createdId(owner.client.post('/v1/messages', { to, body: 'secret body' }));

      return { path: `/v1/messages?to=${encodeURIComponent(to)}` };
    },
    // The same search from another account finds none of the owner's messages.
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'GET',
    route: '/v1/messages/:id/timeline',
    scopes: ['read'],
    request: async (owner) => ({
      path: `/v1/messages/${await createdId(owner.client.post('/v1/messages', { to: party(), body: 'secret body' }))}/timeline`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/stats/overview',
    scopes: ['read'],
    request: async (owner) => {
      // The only message to Germany in the suite: a route row for DE can only come from the owner's.
      const id = await createdId(owner.client.post('/v1/messages', { to: '+4915112345678', body: 'secret body' }));
      await owner.client.waitForMessage(id, (message) => message.sentAt !== null);

      return { path: '/v1/stats/overview?minutes=5' };
    },
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(200);
        const { routes } = answer.body as { routes: { country: string }[] };
        expect(routes.filter((route) => route.country === 'DE')).toEqual([]);
      },
    },
  },
  // Inbound messages (intake's inbound store), filed under the account of the number texted.
  {
    method: 'GET',
    route: '/v1/inbound',
    scopes: ['read'],
    request: async () => {
      const from = await ownerInbound().then((message) => message.from);

      return { path: `/v1/inbound?from=${encodeURIComponent(from)}` };
    },
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'GET',
    route: '/v1/inbound/:id',
    scopes: ['read'],
    request: async () => ({ path: `/v1/inbound/${(await ownerInbound()).id}` }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/inbound/conversations',
    scopes: ['read'],
    request: async () => {
      await ownerInbound();

      return { path: '/v1/inbound/conversations' };
    },
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'GET',
    route: '/v1/inbound/conversations/messages',
    scopes: ['read'],
    request: async () => {
      const from = await ownerInbound().then((message) => message.from);

      return {
        path: `/v1/inbound/conversations/messages?ourNumber=${encodeURIComponent(OWNER_NUMBER)}&theirNumber=${encodeURIComponent(from)}`,
      };
    },
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'GET',
    route: '/v1/providers/health',
    scopes: ['read', 'operator'],
    request: async () => ({ path: '/v1/providers/health?minutes=5' }),
    // The platform's provider health: no account's data in it.
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(200) },
  },
  // The platform (router, dlr-ingest, dlr-processor): operator only. Bodies and ids are harmless on purpose.
  {
    method: 'GET',
    route: '/v1/providers',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/providers' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'POST',
    route: '/v1/providers',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/providers', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PATCH',
    route: '/v1/providers/:id',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/providers/no-such-provider', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/providers/:id',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/providers/no-such-provider' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/numbers',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/numbers' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'POST',
    route: '/v1/numbers',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/numbers', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PATCH',
    route: '/v1/numbers/:number',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/numbers/%2B15005550000', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/numbers/:number',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/numbers/%2B15005550000' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/routes',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'POST',
    route: '/v1/routes',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PUT',
    route: '/v1/routes/rules/:country',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/rules/ZZ', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/routes/rules/:country',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/rules/ZZ' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PATCH',
    route: '/v1/routes/:id',
    scopes: ['operator'],
    request: async () => ({ path: `/v1/routes/${NO_SUCH_ID}`, body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/routes/:id',
    scopes: ['operator'],
    request: async () => ({ path: `/v1/routes/${NO_SUCH_ID}` }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/routes/lookups',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/lookups' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PUT',
    route: '/v1/routes/lookups/:country',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/lookups/ZZ', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/routes/lookups/:country',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/lookups/ZZ' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/routes/weights',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/weights' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PUT',
    route: '/v1/routes/weights/:scope',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/weights/ZZ', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/routes/weights/:scope',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/routes/weights/ZZ' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/resend-policy',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/resend-policy' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PUT',
    route: '/v1/resend-policy',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/resend-policy', body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/resend-policy',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/resend-policy' }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/accounts/:id/resend-policy',
    scopes: ['operator'],
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/resend-policy` }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/resend-policy',
    scopes: ['operator'],
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/resend-policy`, body: {} }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'DELETE',
    route: '/v1/accounts/:id/resend-policy',
    scopes: ['operator'],
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/resend-policy` }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/routes/explain',
    scopes: ['read', 'send'],
    request: async () => ({ path: '/v1/routes/explain?to=%2B447400123456' }),
    // The platform's routing decision for a number: no account's data in it.
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(200) },
  },
  {
    method: 'POST',
    route: '/v1/admin/webhooks/replay',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/admin/webhooks/replay', body: { ids: [NO_SUCH_ID] } }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/admin/receipts/unmatched',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/admin/receipts/unmatched' }),
    crossAccount: { kind: 'operator-only' },
  },
  // Opt-outs and masks: per account.
  {
    method: 'GET',
    route: '/v1/opt-outs',
    scopes: ['read'],
    request: async (owner) => {
      const number = party();
      await owner.client.post('/v1/opt-outs', { number });

      return { path: `/v1/opt-outs?number=${encodeURIComponent(number)}` };
    },
    // The owner's entry for that number is not in another account's list.
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'GET',
    route: '/v1/opt-outs/:number/history',
    scopes: ['read'],
    request: async (owner) => {
      const number = party();
      await owner.client.post('/v1/opt-outs', { number });

      return { path: `/v1/opt-outs/${encodeURIComponent(number)}/history` };
    },
    crossAccount: { kind: 'own-account', check: emptyList },
  },
  {
    method: 'POST',
    route: '/v1/opt-outs',
    scopes: ['send'],
    request: async () => ({ path: '/v1/opt-outs', body: { number: party() } }),
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(201);
        expect(answer.body).toMatchObject({ everyAccount: false });
      },
    },
  },
  {
    method: 'DELETE',
    route: '/v1/opt-outs/:number',
    scopes: ['admin'],
    request: async (owner) => {
      const number = party();
      await owner.client.post('/v1/opt-outs', { number });

      return { path: `/v1/opt-outs/${encodeURIComponent(number)}` };
    },
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/opt-outs/settings',
    scopes: ['read'],
    request: async () => ({ path: '/v1/opt-outs/settings' }),
    // No id to name: the caller reads its own account's settings.
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(200) },
  },
  {
    method: 'PUT',
    route: '/v1/opt-outs/settings',
    scopes: ['admin'],
    request: async () => ({ path: '/v1/opt-outs/settings', body: { displayName: 'Intruder Ltd' } }),
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({ displayName: 'Intruder Ltd' });
      },
    },
  },
  {
    method: 'POST',
    route: '/v1/masks',
    scopes: ['send'],
    request: async () => ({ path: '/v1/masks', body: { partyA: party(), partyB: party() } }),
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(201) },
  },
  {
    method: 'GET',
    route: '/v1/masks',
    scopes: ['read'],
    request: async (owner) => {
      ownersMask = await createdId(owner.client.post('/v1/masks', { partyA: party(), partyB: party() }));

      return { path: '/v1/masks' };
    },
    // The owner's session is not in another account's list (which holds that account's own sessions).
    crossAccount: {
      kind: 'own-account',
      check: (answer) => {
        expect(answer.status).toBe(200);
        expect((answer.body as { data: { id: string }[] }).data.map((m) => m.id)).not.toContain(ownersMask);
      },
    },
  },
  {
    method: 'GET',
    route: '/v1/masks/:id',
    scopes: ['read'],
    request: async (owner) => ({
      path: `/v1/masks/${await createdId(owner.client.post('/v1/masks', { partyA: party(), partyB: party() }))}`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'DELETE',
    route: '/v1/masks/:id',
    scopes: ['send'],
    request: async (owner) => ({
      path: `/v1/masks/${await createdId(owner.client.post('/v1/masks', { partyA: party(), partyB: party() }))}`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  // Limits: an operator's, or the account's own admin's; another account is told the account does not exist.
  {
    method: 'GET',
    route: '/v1/accounts/:id/limits',
    scopes: ['admin', 'operator'],
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/limits` }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/limits',
    scopes: ['admin', 'operator'],
    // Lowering only: an admin may not raise its own limits.
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/limits`, body: { messagesPerSecond: 1 } }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'DELETE',
    route: '/v1/accounts/:id/limits',
    scopes: ['operator'],
    request: async (owner) => ({ path: `/v1/accounts/${owner.accountId}/limits` }),
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(404) },
  },
  {
    method: 'PUT',
    route: '/v1/accounts/:id/limits/keys/:keyId',
    scopes: ['admin', 'operator'],
    request: async (owner) => ({
      path: `/v1/accounts/${owner.accountId}/limits/keys/${await ownerKeyId(owner)}`,
      body: { messagesPerSecond: 1 },
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'DELETE',
    route: '/v1/accounts/:id/limits/keys/:keyId',
    scopes: ['admin', 'operator'],
    request: async (owner) => {
      const path = `/v1/accounts/${owner.accountId}/limits/keys/${await ownerKeyId(owner)}`;
      const set = await owner.client.raw('PUT', path, JSON.stringify({ messagesPerSecond: 1 }), {
        'content-type': 'application/json',
      });
      expect(set.status).toBe(200);

      return { path };
    },
    crossAccount: { kind: 'not-found' },
  },
  // Account webhooks (intake): the account's admin manages its own; another account's are not found.
  {
    method: 'POST',
    route: '/v1/webhooks',
    scopes: ['admin'],
    request: async () => ({ path: '/v1/webhooks', body: { url: WEBHOOK_URL, events: ['message.inbound'] } }),
    crossAccount: { kind: 'own-account', check: (answer) => expect(answer.status).toBe(201) },
  },
  {
    method: 'GET',
    route: '/v1/webhooks',
    scopes: ['admin'],
    request: async (owner) => {
      await ownerWebhookId(owner);

      return { path: '/v1/webhooks' };
    },
    crossAccount: {
      kind: 'own-account',
      check: async (answer, owner) => {
        expect(answer.status).toBe(200);
        const ids = ((answer.body as { data?: { id: string }[] }).data ?? []).map((row) => row.id);
        expect(ids).not.toContain(await ownerWebhookId(owner));
      },
    },
  },
  {
    method: 'GET',
    route: '/v1/webhooks/:id',
    scopes: ['admin'],
    request: async (owner) => ({ path: `/v1/webhooks/${await ownerWebhookId(owner)}` }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'PATCH',
    route: '/v1/webhooks/:id',
    scopes: ['admin'],
    request: async (owner) => ({
      path: `/v1/webhooks/${await ownerWebhookId(owner)}`,
      body: { events: ['message.status'] },
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'DELETE',
    route: '/v1/webhooks/:id',
    scopes: ['admin'],
    request: async (owner) => ({
      path: `/v1/webhooks/${await createdId(owner.client.post('/v1/webhooks', { url: WEBHOOK_URL, events: ['message.inbound'] }))}`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'POST',
    route: '/v1/webhooks/:id/rotate-secret',
    scopes: ['admin'],
    request: async (owner) => ({ path: `/v1/webhooks/${await ownerWebhookId(owner)}/rotate-secret` }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'GET',
    route: '/v1/webhooks/:id/deliveries',
    scopes: ['admin'],
    request: async (owner) => ({ path: `/v1/webhooks/${await ownerWebhookId(owner)}/deliveries` }),
    crossAccount: { kind: 'not-found' },
  },
  {
    method: 'POST',
    route: '/v1/webhooks/:id/deliveries/:deliveryId/replay',
    scopes: ['admin'],
    request: async (owner) => ({
      path: `/v1/webhooks/${await ownerWebhookId(owner)}/deliveries/${await ownerDeliveryId(owner)}/replay`,
    }),
    crossAccount: { kind: 'not-found' },
  },
  // Usage (intake): the caller's own account's charges; only an operator may name another account.
  {
    method: 'GET',
    route: '/v1/usage',
    scopes: ['read'],
    request: async () => ({ path: '/v1/usage?from=2026-01-01&to=2026-12-31&groupBy=account' }),
    crossAccount: {
      kind: 'own-account',
      check: (answer, owner) => {
        expect(answer.status).toBe(200);
        const body = answer.body as { account: string; data: { account?: string }[] };
        expect(body.account).not.toBe(owner.accountId);
        expect(body.data.some((row) => row.account === owner.accountId)).toBe(false);
      },
    },
  },
  // Erasure of a person (intake): it reaches every account's data, so it is the platform's (operator only).
  {
    method: 'POST',
    route: '/v1/privacy/erasures',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/privacy/erasures', body: { number: party() } }),
    crossAccount: { kind: 'operator-only' },
  },
  {
    method: 'GET',
    route: '/v1/privacy/erasures/:id',
    scopes: ['operator'],
    request: async () => ({ path: `/v1/privacy/erasures/${await operatorErasure()}` }),
    crossAccount: { kind: 'operator-only' },
  },
  // Dead letters are the platform's.
  {
    method: 'POST',
    route: '/v1/admin/dlq/replay',
    scopes: ['operator'],
    request: async () => ({ path: '/v1/admin/dlq/replay', body: { topic: 'sms.status.v1.dlq', dryRun: true } }),
    crossAccount: { kind: 'operator-only' },
  },
];

/** Every `METHOD /path` Nest's controllers declare, read from the routing metadata Nest registers them by. */
function declaredRoutes(app: NestFastifyApplication): string[] {
  const routes = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) {
        continue;
      }
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = name === 'constructor' ? undefined : prototype[name];
        const method = typeof handler === 'function' ? Reflect.getMetadata(METHOD_METADATA, handler) : undefined;
        if (method === undefined) {
          continue;
        }
        const path = String(Reflect.getMetadata(PATH_METADATA, handler as object) ?? '');
        const full = `/${[base, path]
          .map((p) => p.replace(/^\/+|\/+$/g, ''))
          .filter(Boolean)
          .join('/')}`;
        routes.add(`${RequestMethod[method as RequestMethod]} ${full}`);
      }
    }
  }

  return [...routes].filter((route) => route.split(' ')[1]?.startsWith('/v1/')).sort();
}

/** Scopes that do not satisfy a route, for the "key without the scope" check (admin implies send and read). */
function lacking(scopes: readonly Scope[]): Scope[] | null {
  if (scopes.length === 0) {
    return null;
  }
  const all: Scope[] = ['send', 'read', 'admin', 'operator'];
  const passes = (held: Scope): boolean =>
    scopes.includes(held) || (held === 'admin' && scopes.some((s) => s === 'send' || s === 'read'));

  return all.filter((held) => !passes(held));
}

describe('embedded gateway: authorisation of every /v1 route', () => {
  let gateway: EmbeddedGateway;
  let operator: GatewayClient;
  let owner: Owner;
  let intruder: GatewayClient;
  const keyFor = new Map<string, GatewayClient>();

  const keyIn = async (accountId: string, scopes: readonly Scope[]): Promise<GatewayClient> => {
    const created = await operator.post('/v1/api-keys', {
      name: `security-${scopes.join('-')}`,
      scopes: [...scopes],
      accountId,
    });
    expect(created.status).toBe(201);

    return new GatewayClient(gateway.url, { authorization: `Bearer ${created.body.key}` });
  };

  /** A key of the owner's account holding exactly `scopes` (made once per set). */
  const ownerKey = async (scopes: readonly Scope[]): Promise<GatewayClient> => {
    const name = [...scopes].sort().join(',');
    let client = keyFor.get(name);
    if (!client) {
      client = await keyIn(owner.accountId, scopes);
      keyFor.set(name, client);
    }

    return client;
  };

  const send = (client: GatewayClient, method: string, request: { path: string; body?: unknown }) =>
    client.raw<unknown>(
      method,
      request.path,
      request.body === undefined ? undefined : JSON.stringify(request.body),
      request.body === undefined ? {} : { 'content-type': 'application/json' },
    );

  beforeAll(async () => {
    gateway = await startEmbeddedGateway();
    operator = new GatewayClient(gateway.url, gateway.auth);
    const ownerAccount = await operator.post('/v1/accounts', { name: 'owner' });
    const intruderAccount = await operator.post('/v1/accounts', { name: 'intruder' });
    owner = { accountId: ownerAccount.body.id, client: await keyIn(ownerAccount.body.id, ['send', 'read', 'admin']) };
    // Every scope an account key can hold: only the operator scope is missing.
    intruder = await keyIn(intruderAccount.body.id, ['send', 'read', 'admin']);
    const owned = await operator.patch(`/v1/numbers/${encodeURIComponent(OWNER_NUMBER)}`, {
      accountId: owner.accountId,
    });
    expect(owned.status).toBe(200);
    operatorErasure = () => createdId(operator.post('/v1/privacy/erasures', { number: party() }));
    ownerInbound = async () => {
      const stored = await gateway.app.get(InboundStore).record({
        webhookId: randomUUID(),
        provider: 'twilio',
        providerMessageId: randomUUID(),
        from: party(),
        to: OWNER_NUMBER,
        body: 'secret inbound',
        receivedAt: new Date().toISOString(),
      });

      return { id: stored!.id, from: stored!.from };
    };
  });

  afterAll(async () => {
    await gateway?.close();
  });

  it('has a row for every /v1 route Nest serves, and every row is a served route', () => {
    const declared = declaredRoutes(gateway.app);
    const fastify = gateway.app.getHttpAdapter().getInstance();

    expect(declared.length).toBeGreaterThan(20);
    expect(ROUTES.map((r) => `${r.method} ${r.route}`).sort()).toEqual(declared);
    for (const route of ROUTES) {
      expect({ route: route.route, served: fastify.hasRoute({ method: route.method, url: route.route }) }).toEqual({
        route: route.route,
        served: true,
      });
    }
  });

  describe.each(ROUTES.map((r) => [`${r.method} ${r.route}`, r] as const))('%s', (_name, route) => {
    it('is 401 without a key, and with an unknown one', async () => {
      const request = await route.request(owner);
      for (const client of [
        new GatewayClient(gateway.url, {}),
        new GatewayClient(gateway.url, { authorization: 'Bearer smsgw_not_a_real_key_at_all' }),
      ]) {
        const answer = await send(client, route.method, request);
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } });
      }
    });

    it('is 403 for a key of the same account without the scope', async () => {
      const without = lacking(route.scopes);
      if (without === null) {
        // Any valid key may use it: nothing to lack. The row says so rather than skipping silently.
        expect(route.scopes).toEqual([]);

        return;
      }
      for (const held of without) {
        const answer = await send(await ownerKey([held]), route.method, await route.request(owner));
        expect({ held, status: answer.status, body: answer.body }).toMatchObject({
          held,
          status: 403,
          body: { error: { code: 'FORBIDDEN' } },
        });
      }
    });

    it('gets past authorisation with the scope', async () => {
      const scope = route.scopes[0];
      const client = scope === undefined ? owner.client : scope === 'operator' ? operator : await ownerKey([scope]);
      const answer = await send(client, route.method, await route.request(owner));
      expect({ status: answer.status }).not.toEqual({ status: 401 });
      expect({ status: answer.status }).not.toEqual({ status: 403 });
      if (route.crossAccount.kind === 'not-found') {
        expect(answer.status).toBeLessThan(300);
      }
    });

    it(`answers a key of another account: ${route.crossAccount.kind}`, async () => {
      const request = await route.request(owner);
      const answer = await send(intruder, route.method, request);
      const cross = route.crossAccount;
      switch (cross.kind) {
        case 'not-found':
          expect(answer.status).toBe(404);
          expect(JSON.stringify(answer.body)).not.toContain('secret body');
          // The owner still has it: the same request by the owner succeeds, so the intruder changed nothing.
          expect((await send(owner.client, route.method, request)).status).toBeLessThan(300);
          break;
        case 'operator-only':
          expect(answer.status).toBe(403);
          expect(answer.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
          break;
        case 'own-account':
          await cross.check(answer, owner);
          break;
      }
    });
  });
});
