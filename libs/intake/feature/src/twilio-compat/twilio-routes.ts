import {
  type AccountService,
  type ApiKeyService,
  type ApiPrincipal,
  ApiScope,
  holdsScope,
  twilioAuthTokenOf,
  verifyBasicAuthorization,
} from '@sms/auth';
import { accountIdOfSid, accountSidOf, messageIdOfSid, TWILIO_API_VERSION } from '@sms/contracts';
import { MAX_BODY_BYTES } from '@sms/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { MessagesService } from '../messages/messages.service';
import {
  authenticateError,
  invalidParameter,
  notFoundError,
  toTwilioError,
  TWILIO_CODES,
  TwilioError,
} from './twilio-error';
import { messagesPathOf, rfc2822, toTwilioMessage } from './twilio-message.view';
import type { TwilioMessageFinder, TwilioMessageLister } from './twilio-messages.reader';
import { cursorOfPageToken, pageTokenOf } from './twilio-page-token';
import { type Params, paramsOfForm, paramsOfQuery, refuseOthers, sendRequestOf, single } from './twilio-send-request';

export interface TwilioRoutesOptions {
  readonly keys: Pick<ApiKeyService, 'verify'>;
  readonly accounts: Pick<AccountService, 'find'>;
  readonly messages: Pick<MessagesService, 'accept'>;
  readonly finder: TwilioMessageFinder;
  readonly lister: TwilioMessageLister;
  /** CALLBACK_SECRET, from which each account's auth token is derived; empty: no stable token exists. */
  readonly callbackSecret: string;
}

/** Twilio's page size: 50 unless asked, at most 1000. */
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 1000;
const LIST_PARAMETERS = new Set(['To', 'From', 'PageSize', 'Page', 'PageToken']);
const SID_JSON = /^([A-Z]{2}[0-9a-f]{32})\.json$/;

type AccountRequest = FastifyRequest<{ Params: { accountSid: string } }>;
type ResourceRequest = FastifyRequest<{ Params: { accountSid: string; resource: string } }>;

/**
 * Twilio's Messages API under `/2010-04-01` (docs/twilio-compat.md), as plain Fastify routes in an
 * encapsulated plugin: they take forms, not JSON, authenticate with Basic (AccountSid : API key) and answer
 * every error, Fastify's own included, in Twilio's shape, none of which Nest's pipeline (JSON, Bearer keys,
 * api.md's error body) would do. What they do is the REST API's: the same MessagesService, the same rules.
 */
export function twilioRoutes(options: TwilioRoutesOptions) {
  return async (fastify: FastifyInstance): Promise<void> => {
    takeFormsAnswerTwilioErrors(fastify);
    fastify.post('/Accounts/:accountSid/Messages.json', createMessage(options));
    fastify.get('/Accounts/:accountSid/Messages.json', listMessages(options));
    fastify.get('/Accounts/:accountSid/Messages/:resource', fetchMessage(options));
    // `/Accounts/{AccountSid}.json`: the account, with the auth token its StatusCallbacks are signed with.
    fastify.get('/Accounts/:resource', fetchAccount(options));
  };
}

function takeFormsAnswerTwilioErrors(fastify: FastifyInstance): void {
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: MAX_BODY_BYTES },
    (_request, body, done) => done(null, body),
  );
  fastify.setErrorHandler(async (error, _request, reply) => {
    const twilio = toTwilioError(error);
    await reply.status(twilio.status).headers(twilio.headers).send(twilio.toBody());
  });
  fastify.setNotFoundHandler(async (request, reply) => {
    const twilio = notFoundError(request.url.split('?')[0]?.slice(0, 200) ?? '');
    await reply.status(twilio.status).send(twilio.toBody());
  });
}

function createMessage(options: TwilioRoutesOptions) {
  return async (request: AccountRequest, reply: FastifyReply): Promise<void> => {
    const principal = await authenticate(options, request, ApiScope.Send);
    if (typeof request.body !== 'string') {
      throw new TwilioError(
        400,
        TWILIO_CODES.invalidParameter,
        'Content-Type must be application/x-www-form-urlencoded',
      );
    }
    const send = sendRequestOf(paramsOfForm(request.body));
    const outcome = await options.messages.accept(send, principal, undefined, 'twilio');
    const accepted = outcome.response.body as {
      id: string;
      from: string | null;
      segments: number;
      createdAt: string;
    };
    const createdAt = new Date(accepted.createdAt);
    await reply.status(201).send(
      toTwilioMessage({
        id: accepted.id,
        accountId: principal.accountId,
        status: 'queued',
        to: String(send['to']),
        from: accepted.from,
        body: String(send['body']),
        segments: accepted.segments,
        cost: null,
        currency: null,
        errorCode: null,
        errorMessage: null,
        createdAt,
        updatedAt: createdAt,
        sentAt: null,
      }),
    );
  };
}

function listMessages(options: TwilioRoutesOptions) {
  return async (request: AccountRequest, reply: FastifyReply): Promise<void> => {
    const principal = await authenticate(options, request, ApiScope.Read);
    await reply.send(await listPage(options, principal, paramsOfQuery(request.query)));
  };
}

function fetchMessage(options: TwilioRoutesOptions) {
  return async (request: ResourceRequest, reply: FastifyReply): Promise<void> => {
    const principal = await authenticate(options, request, ApiScope.Read);
    const sid = SID_JSON.exec(request.params.resource)?.[1];
    const id = sid ? messageIdOfSid(sid) : null;
    const record = id ? await options.finder.find(id, principal.accountId) : null;
    if (!record) {
      throw notFoundError(`${messagesPathOf(principal.accountId)}/${request.params.resource.slice(0, 40)}`);
    }
    await reply.send(toTwilioMessage(record));
  };
}

function fetchAccount(options: TwilioRoutesOptions) {
  return async (request: FastifyRequest<{ Params: { resource: string } }>, reply: FastifyReply): Promise<void> => {
    const sid = SID_JSON.exec(request.params.resource)?.[1] ?? '';
    const principal = await authenticate(
      options,
      { headers: request.headers, params: { accountSid: sid } },
      ApiScope.Admin,
    );
    const account = await options.accounts.find(principal.accountId);
    if (!account) {
      throw notFoundError(`/${TWILIO_API_VERSION}/Accounts/${sid}.json`);
    }
    await reply.send(accountView(account, options.callbackSecret));
  };
}

/**
 * Basic credentials first (401 20003 for anything but a live key of the account the username names),
 * then the AccountSid in the path: another account's is 404 20404, as absent as an unknown one; then the
 * key's scope (403 20403).
 */
async function authenticate(
  options: TwilioRoutesOptions,
  request: Pick<AccountRequest, 'headers' | 'params'>,
  scope: ApiScope,
): Promise<ApiPrincipal> {
  const principal = await verifyBasicAuthorization(options.keys, request.headers.authorization);
  if (!principal) {
    throw authenticateError();
  }
  if (accountIdOfSid(request.params.accountSid) !== principal.accountId) {
    throw notFoundError(`/${TWILIO_API_VERSION}/Accounts/${request.params.accountSid.slice(0, 40)}`);
  }
  if (!holdsScope(principal, scope)) {
    throw new TwilioError(403, TWILIO_CODES.forbidden, `This API key lacks the '${scope}' scope`);
  }

  return principal;
}

async function listPage(
  options: TwilioRoutesOptions,
  principal: ApiPrincipal,
  params: Params,
): Promise<Record<string, unknown>> {
  refuseOthers(params, LIST_PARAMETERS);
  const pageSize = wholeNumber(params, 'PageSize', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  const page = wholeNumber(params, 'Page', 0, 0, 1_000_000);
  const token = single(params, 'PageToken');
  if (page > 0 && token === null) {
    throw invalidParameter('Page beyond 0 needs the PageToken of next_page_uri', 'Page');
  }
  const to = single(params, 'To');
  const from = single(params, 'From');
  const result = await options.lister.list({
    accountId: principal.accountId,
    to: to || null,
    from: from || null,
    pageSize,
    after: token === null ? null : cursorOfPageToken(token),
  });
  const path = `${messagesPathOf(principal.accountId)}.json`;
  const uriOf = (extra: Record<string, string>): string =>
    `${path}?${new URLSearchParams({
      ...(to && { To: to }),
      ...(from && { From: from }),
      PageSize: String(pageSize),
      ...extra,
    }).toString()}`;
  const start = page * pageSize;

  return {
    messages: result.records.map(toTwilioMessage),
    end: start + Math.max(result.records.length - 1, 0),
    first_page_uri: uriOf({ Page: '0' }),
    next_page_uri: result.next ? uriOf({ Page: String(page + 1), PageToken: pageTokenOf(result.next) }) : null,
    page,
    page_size: pageSize,
    // Keyset pages run forward only: a client goes back by starting again from first_page_uri.
    previous_page_uri: null,
    start,
    uri: uriOf({ Page: String(page), ...(token !== null && { PageToken: token }) }),
  };
}

function wholeNumber(params: Params, name: string, fallback: number, min: number, max: number): number {
  const text = single(params, name);
  if (text === null) {
    return fallback;
  }
  const value = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw invalidParameter(`${name} must be a whole number from ${min} to ${max}`, name);
  }

  return value;
}

function accountView(
  account: { readonly id: string; readonly name: string; readonly createdAt: string },
  callbackSecret: string,
): Record<string, unknown> {
  const sid = accountSidOf(account.id);
  const created = rfc2822(new Date(account.createdAt));

  return {
    sid,
    owner_account_sid: sid,
    friendly_name: account.name,
    status: 'active',
    type: 'Full',
    // No CALLBACK_SECRET, no stable token: callbacks are then signed with a key that changes per process.
    auth_token: callbackSecret === '' ? null : twilioAuthTokenOf(callbackSecret, account.id),
    date_created: created,
    date_updated: created,
    uri: `/${TWILIO_API_VERSION}/Accounts/${sid}.json`,
    subresource_uris: { messages: `${messagesPathOf(account.id)}.json` },
  };
}
