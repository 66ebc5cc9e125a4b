import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { ShutdownRegistry } from '../lifecycle/shutdown.registry';
import { ReadinessRegistry } from './readiness.registry';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    private readonly readiness: ReadinessRegistry,
    private readonly shutdown: ShutdownRegistry,
  ) {}

  /** The process is up (liveness): no dependency is consulted. */
  @Get('healthz')
  healthz(): { status: string } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the dependencies this process's traffic needs are reachable and it is not shutting down;
   * 503 otherwise so traffic moves away. Dependencies it can do without for a while (the bus, Redis) are
   * shown in `checks` and, while down, listed in `degraded` without taking the process out of service.
   */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    if (this.shutdown.isShuttingDown) {
      await reply.status(503).header('retry-after', '5').send({ status: 'shutting_down', checks: {} });

      return;
    }
    const { ready, checks, degraded } = await this.readiness.report();
    await reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not_ready', checks, ...(degraded.length > 0 ? { degraded } : {}) });
  }
}
