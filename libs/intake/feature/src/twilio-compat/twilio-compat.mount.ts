import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AccountService, ApiKeyService } from '@sms/auth';
import { TWILIO_API_VERSION } from '@sms/contracts';
import { CALLBACKS_CONFIG, type CallbacksGroup } from '@sms/platform';
import type { FastifyInstance } from 'fastify';
import { MessagesService } from '../messages/messages.service';
import { LedgerTwilioMessages } from './twilio-messages.reader';
import { twilioRoutes } from './twilio-routes';

/**
 * Mounts the Twilio-compatible routes (twilio-routes.ts) under `/2010-04-01` on the HTTP server of the
 * process that serves intake's REST API, the embedded gateway's or the intake service's. Registered, not
 * awaited: the plugin loads when the server starts.
 */
@Injectable()
export class TwilioCompatMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(CALLBACKS_CONFIG) private readonly callbacks: CallbacksGroup,
    private readonly keys: ApiKeyService,
    private readonly accounts: AccountService,
    private readonly messages: MessagesService,
    private readonly ledger: LedgerTwilioMessages,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify) {
      return;
    }
    void fastify.register(
      twilioRoutes({
        keys: this.keys,
        accounts: this.accounts,
        messages: this.messages,
        finder: this.ledger,
        // The list query; `GET /v1/messages` search may serve it instead (TwilioMessageLister).
        lister: this.ledger,
        callbackSecret: this.callbacks.secret,
      }),
      { prefix: `/${TWILIO_API_VERSION}` },
    );
  }
}
