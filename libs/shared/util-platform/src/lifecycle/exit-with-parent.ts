import { fstatSync } from 'node:fs';

/**
 * For processes a harness starts (scripts/distributed.ts sets EXIT_WITH_PARENT=true): when the parent dies
 * without stopping us (a test runner killed, a terminal closed), we shut down gracefully (SIGTERM to
 * ourselves) instead of lingering as an orphan that holds ports and, worse, stays in the shared Kafka
 * consumer groups taking records meant for the next run. Node has no parent-death signal, so:
 *
 * - when our stdin is a pipe or socket from the parent (scripts/distributed.ts spawns us so), its end is the signal:
 *   the kernel closes the parent's end when the parent dies, and waiting on it costs no wake-up while idle;
 * - otherwise the parent id is polled once a second (re-parented means the parent died).
 */
export function exitWithParent(env: Readonly<Record<string, string | undefined>>): void {
  if (env['EXIT_WITH_PARENT'] !== 'true') {
    return;
  }
  const terminate = (): void => {
    process.kill(process.pid, 'SIGTERM');
  };
  if (stdinFromParent()) {
    process.stdin.once('end', terminate);
    process.stdin.resume();
    // Waiting for the parent must not keep the process alive once everything else has stopped.
    (process.stdin as { unref?: () => void }).unref?.();

    return;
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      terminate();
    }
  }, 1_000).unref();
}

/** Node's `spawn` gives a child's stdin as a socket pair, a shell as a FIFO: both end when the writer dies. */
function stdinFromParent(): boolean {
  try {
    const stdin = fstatSync(0);

    return stdin.isFIFO() || stdin.isSocket();
  } catch {
    return false;
  }
}
