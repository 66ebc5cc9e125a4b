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

  /** Dependencies reachable and not shutting down (readiness); 503 otherwise so traffic moves away. */
  @Get('readyz')
  async readyz(@Res() reply: FastifyReply): Promise<void> {
    if (this.shutdown.isShuttingDown) {
      await reply.status(503).header('retry-after', '5').send({ status: 'shutting_down', checks: {} });

      return;
    }
    const checks = await this.readiness.evaluate();
    const ready = Object.values(checks).every(Boolean);
    await reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', checks });
  }
}
