import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiError } from '@sms/platform';
import type { FastifyInstance } from 'fastify';
import { RegionForwarder } from './region-forwarder';
import { RegionGate } from './region-gate';

/** `/v1/messages/<id>` and everything under it (`/timeline`, `/cancel`): the id alone says the region. */
const MESSAGE_PATH = /^\/v1\/messages\/([0-9a-fA-F-]{36})(?:[/?]|$)/;

/**
 * Reads and cancels of another region's message go to that region's intake before this one looks at them
 * (the key is checked there: accounts and keys are global). Registered only when regions are on; with one
 * region nothing is added to the request path.
 */
@Injectable()
export class RegionRoutesMount implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly gate: RegionGate,
    private readonly forwarder: RegionForwarder,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify || !this.gate.enabled) {
      return;
    }
    fastify.addHook('preHandler', async (request, reply) => {
      const id = MESSAGE_PATH.exec(request.url)?.[1];
      const region = id === undefined ? null : this.gate.foreignRegionOfId(id.toLowerCase());
      if (region === null) {
        return;
      }
      try {
        await this.forwarder.forward(region, request, reply);
      } catch (error) {
        if (!(error instanceof ApiError)) {
          throw error;
        }
        await reply.headers(error.headers).status(error.status).send(error.toBody());
      }

      return reply;
    });
  }
}
