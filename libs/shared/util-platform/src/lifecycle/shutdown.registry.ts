import { Injectable, Logger } from '@nestjs/common';

/**
 * Orders the shutdown of one process, whatever modules it hosts (one service or all seven):
 *  1. `intake`   — stop taking new work (schedulers, relays' polling);
 *  2. `consumers`— the bus stops fetching, finishes in-flight handlers and commits their offsets;
 *  3. `flush`    — what a module holds in memory (counts, buckets) is written while every store is still open;
 *  4. `storage`  — data sources and Redis close once nothing can use them.
 * Nest's own hook order across modules is not something to lean on, so each module registers here.
 */
export type ShutdownPhase = 'intake' | 'consumers' | 'flush' | 'storage';

const PHASES: readonly ShutdownPhase[] = ['intake', 'consumers', 'flush', 'storage'];

interface Hook {
  readonly phase: ShutdownPhase;
  readonly name: string;
  readonly run: () => Promise<void>;
}

@Injectable()
export class ShutdownRegistry {
  private readonly logger = new Logger('shutdown');
  private readonly hooks: Hook[] = [];
  private shuttingDown = false;
  private done: Promise<void> | null = null;

  register(phase: ShutdownPhase, name: string, run: () => Promise<void>): void {
    this.hooks.push({ phase, name, run });
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Readiness turns 503 from now on; new work should be refused. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Runs every hook once, phase by phase; hooks of one phase run concurrently. */
  runAll(): Promise<void> {
    this.shuttingDown = true;
    this.done ??= (async () => {
      for (const phase of PHASES) {
        await Promise.all(
          this.hooks
            .filter((hook) => hook.phase === phase)
            .map(async (hook) => {
              try {
                await hook.run();
              } catch (error) {
                this.logger.error(`${phase}/${hook.name} failed: ${String(error)}`);
              }
            }),
        );
      }
    })();

    return this.done;
  }
}
