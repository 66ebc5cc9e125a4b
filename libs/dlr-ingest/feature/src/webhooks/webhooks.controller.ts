import { Controller, Get, HttpCode, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { APP_CONFIG, ApiError, notFound, publicBaseUrlOf, type AppConfig } from '@sms/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { flatHeaders } from './request-headers';
import { WebhookIngestService, type WebhookKind } from './webhook-ingest.service';

/** Where providers put their proof: X-Twilio-Signature, x-sinch-webhook-signature, Vonage's bearer JWT. */
type RawRequest = FastifyRequest & { rawBody?: Buffer };

/**
 * Provider webhooks: authenticated by each provider's own signature, not by our API keys. Answered
 * 2xx as soon as the raw payload is stored; a payload that fails verification is stored as rejected
 * and answered 401 (no signature) or 403 (a wrong one); a provider's retry of a stored payload is
 * answered 200 and not published again.
 */
@ApiExcludeController()
@Controller('webhooks')
export class WebhooksController {
  constructor(
    private readonly ingest: WebhookIngestService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post(':provider/:kind')
  @HttpCode(200)
  receive(
    @Param('provider') provider: string,
    @Param('kind') kind: string,
    @Req() request: RawRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.handle(provider, kind, request, reply);
  }

  /**
   * Some providers can be set to call webhooks with GET, the params in the query string (Vonage's "GET"
   * webhook format, Twilio's MO option); the URL, query included, is what the adapter verifies and parses.
   */
  @Get(':provider/:kind')
  @HttpCode(200)
  receiveGet(
    @Param('provider') provider: string,
    @Param('kind') kind: string,
    @Req() request: RawRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    return this.handle(provider, kind, request, reply);
  }

  private async handle(provider: string, kind: string, request: RawRequest, reply: FastifyReply): Promise<void> {
    if ((kind !== 'status' && kind !== 'inbound') || !this.ingest.knows(provider)) {
      throw notFound('Webhook');
    }
    const headers = flatHeaders(request.headers);
    const webhookKind: WebhookKind = kind;
    const result = await this.ingest.ingest(provider, webhookKind, {
      url: `${publicBaseUrlOf(this.config)}${request.url}`,
      method: request.method,
      headers,
      // JSON and form bodies keep their raw bytes; text/plain (AWS SNS deliveries) is parsed to the string itself.
      body: request.rawBody?.toString('utf8') ?? (typeof request.body === 'string' ? request.body : ''),
      contentType: request.headers['content-type'] ?? '',
    });
    if (!result.verified) {
      // Stored as rejected either way; the answer tells an unsigned request from a forged one.
      if (result.signed === false) {
        throw new ApiError(401, 'SIGNATURE_MISSING', 'Webhook carries no signature');
      }
      throw new ApiError(403, 'INVALID_SIGNATURE', 'Webhook signature verification failed');
    }
    await reply.status(200).header('content-type', 'text/plain').send('');
  }
}
