import { type DynamicModule, Module, type Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance } from 'fastify';
import { type AppConfig, loadConfig } from '../config/app.config';
import { PlatformModule } from '../runtime/platform.module';
import { createHttpApp, installGracefulShutdown } from './http-app.factory';
import type { UnavailablePredicate } from './api-error.filter';
import { exitWithParent } from '../lifecycle/exit-with-parent';
import { applyCpuPriority } from '../runtime/cpu-priority';

export interface ServiceDefinition {
  /** Service name: Kafka client id, log field, default port lookup. */
  readonly name: string;
  /** Port when PORT is not set, so every service can run side by side on one machine. */
  readonly defaultPort: number;
  readonly imports: (config: AppConfig) => (Type<unknown> | DynamicModule)[];
  readonly isUnavailable?: UnavailablePredicate;
  readonly configureFastify?: (fastify: FastifyInstance, config: AppConfig) => Promise<void> | void;
  /** Refuses a configuration this service cannot run safely with (throws), before anything connects. */
  readonly checkConfig?: (config: AppConfig) => void;
}

/**
 * Runs one service alone (the distributed mode): its modules on top of the platform with Kafka,
 * MySQL and Redis adapters, its HTTP routes plus /healthz, /readyz and /docs, graceful shutdown.
 */
export async function startService(
  definition: ServiceDefinition,
  env: Record<string, string | undefined> = process.env,
): Promise<NestFastifyApplication> {
  // A service runs distributed unless told otherwise, on its own port, and never hosts the simulator.
  const config = loadConfig({
    ...env,
    MODE: env['MODE']?.trim() || 'distributed',
    PORT: env['PORT']?.trim() || String(definition.defaultPort),
    SIMULATOR_ENABLED: 'false',
  });
  definition.checkConfig?.(config);

  // Before Nest, the pools and the clients start their threads: those inherit it (cpu-priority.ts).
  applyCpuPriority(config.cpu);

  @Module({})
  class ServiceRootModule {}

  const root: DynamicModule = {
    module: ServiceRootModule,
    imports: [PlatformModule.forRoot({ config, processName: definition.name }), ...definition.imports(config)],
  };
  const app = await createHttpApp({
    module: root,
    config,
    processName: definition.name,
    isUnavailable: definition.isUnavailable,
    configureFastify: definition.configureFastify
      ? (fastify) => definition.configureFastify!(fastify, config)
      : undefined,
  });
  installGracefulShutdown(app);
  exitWithParent(env);
  await app.listen({ port: config.http.port, host: config.http.host });
  const priority =
    (config.cpu.nice !== 0 ? `, nice ${config.cpu.nice}` : '') +
    (config.cpu.policy !== 'other' ? `, CPU policy ${config.cpu.policy}` : '');
  process.stdout.write(
    `${definition.name} (${config.mode}${priority}) listening on http://127.0.0.1:${config.http.port}\n`,
  );

  return app;
}
