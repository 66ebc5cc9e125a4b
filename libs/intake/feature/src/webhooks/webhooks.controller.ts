import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Query,
  Req,
  UseGuards,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiKeyGuard, ApiScope, type AuthenticatedRequest, principalOf, RequireScope } from '@sms/auth';
import { ApiError, ApiErrorFilter, notFound, unprocessable } from '@sms/platform';
import { parseCreateWebhook, parseDeliveryQuery, parseUpdateWebhook, parseWebhookId } from './webhook-input';
import { WEBHOOK_RUNTIME, type WebhookRuntime } from './webhook.runtime';
import { type DeliveryView, MAX_SUBSCRIPTIONS_PER_ACCOUNT, type WebhookView } from './webhook.store';
import {
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookDeliveryListResponse,
  WebhookDeliveryResponse,
  WebhookListResponse,
  WebhookResponse,
  WebhookWithSecretResponse,
} from './webhook.views';

const REFUSED = { status: 422, description: 'A rule was broken; `error.code` and `error.field` say which' };
const NOT_FOUND = { status: 404, description: 'NOT_FOUND: no such subscription (or delivery) in your account' };

/**
 * `/v1/webhooks` (docs/webhooks.md): an account's webhook subscriptions, their delivery log and replay.
 * Account admins manage their own account's; another account's subscription is not found, as is a
 * missing one. A secret is shown once, in the answer that set it (create, rotate), never in a read.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@UseGuards(ApiKeyGuard)
@RequireScope(ApiScope.Admin)
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(@Inject(WEBHOOK_RUNTIME) private readonly runtime: WebhookRuntime | null) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Subscribe a URL to events of your account (the secret is shown once)' })
  @ApiBody({ type: CreateWebhookDto })
  @ApiResponse({ status: 201, type: WebhookWithSecretResponse })
  @ApiResponse(REFUSED)
  async create(
    @Req() request: AuthenticatedRequest,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<WebhookView & { secret: string }> {
    const { store, directory, policy } = this.configured();
    ApiErrorFilter.requireJson(contentType);
    const input = parseCreateWebhook(body, policy);
    const accountId = principalOf(request).accountId;
    if ((await store.countOf(accountId)) >= MAX_SUBSCRIPTIONS_PER_ACCOUNT) {
      throw unprocessable(
        'WEBHOOK_LIMIT_REACHED',
        `An account may have at most ${MAX_SUBSCRIPTIONS_PER_ACCOUNT} webhook subscriptions`,
      );
    }
    const { view, secret } = await store.create(accountId, input);
    await directory.refresh();

    return { ...view, secret };
  }

  @Get()
  @ApiOperation({ summary: "Your account's subscriptions (never their secrets)" })
  @ApiResponse({ status: 200, type: WebhookListResponse })
  async list(@Req() request: AuthenticatedRequest): Promise<{ data: WebhookView[] }> {
    return { data: await this.configured().store.list(principalOf(request).accountId) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One subscription' })
  @ApiResponse({ status: 200, type: WebhookResponse })
  @ApiResponse(NOT_FOUND)
  async get(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<WebhookView> {
    const view = await this.configured().store.find(principalOf(request).accountId, this.id(id));

    return view ?? this.missing();
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL or the events' })
  @ApiBody({ type: UpdateWebhookDto })
  @ApiResponse({ status: 200, type: WebhookResponse })
  @ApiResponse(REFUSED)
  @ApiResponse(NOT_FOUND)
  async update(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Body() body: unknown,
    @Headers('content-type') contentType?: string,
  ): Promise<WebhookView> {
    const { store, directory, policy } = this.configured();
    const subscriptionId = this.id(id);
    ApiErrorFilter.requireJson(contentType);
    const view = await store.update(principalOf(request).accountId, subscriptionId, parseUpdateWebhook(body, policy));
    await directory.refresh();

    return view ?? this.missing();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a subscription and its delivery log (pending deliveries are dropped)' })
  @ApiResponse({ status: 204 })
  @ApiResponse(NOT_FOUND)
  async remove(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    const { store, directory } = this.configured();
    if (!(await store.remove(principalOf(request).accountId, this.id(id)))) {
      this.missing();
    }
    await directory.refresh();
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'Replace the signing secret (the new one is shown once and signs every attempt from now)' })
  @ApiResponse({ status: 200, type: WebhookWithSecretResponse })
  @ApiResponse(NOT_FOUND)
  async rotate(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
  ): Promise<WebhookView & { secret: string }> {
    const rotated = await this.configured().store.rotate(principalOf(request).accountId, this.id(id));

    return rotated ? { ...rotated.view, secret: rotated.secret } : this.missing();
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "The subscription's newest deliveries, with every attempt" })
  @ApiResponse({ status: 200, type: WebhookDeliveryListResponse })
  @ApiResponse(REFUSED)
  @ApiResponse(NOT_FOUND)
  async deliveries(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Query() query: unknown,
  ): Promise<{ data: DeliveryView[] }> {
    const subscriptionId = this.id(id);
    const { limit } = parseDeliveryQuery(query);
    const data = await this.configured().store.deliveriesOf(principalOf(request).accountId, subscriptionId, limit);

    return data ? { data } : this.missing();
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send one delivery again now (same event id), retried for a fresh window',
    operationId: 'replayWebhookDelivery',
  })
  @ApiResponse({ status: 202, type: WebhookDeliveryResponse })
  @ApiResponse(NOT_FOUND)
  async replay(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Param('deliveryId') deliveryId: string,
  ): Promise<DeliveryView> {
    const { store, dispatcher } = this.configured();
    const subscriptionId = this.id(id);
    const delivery = parseWebhookId(deliveryId, 'INVALID_DELIVERY_ID', 'deliveryId');
    const view = await store.replay(principalOf(request).accountId, subscriptionId, delivery);
    if (!view) {
      throw notFound('Webhook delivery');
    }
    dispatcher.wake();

    return view;
  }

  private configured(): WebhookRuntime {
    if (!this.runtime) {
      throw new ApiError(
        503,
        'WEBHOOKS_NOT_CONFIGURED',
        'Account webhooks are off: the operator has not set WEBHOOK_SECRETS_KEY',
      );
    }

    return this.runtime;
  }

  private id(value: string): string {
    return parseWebhookId(value, 'INVALID_WEBHOOK_ID', 'id');
  }

  private missing(): never {
    throw notFound('Webhook subscription');
  }
}
