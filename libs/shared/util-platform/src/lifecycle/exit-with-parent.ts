/**
 * For processes a harness starts (scripts/distributed.ts sets EXIT_WITH_PARENT=true): when the parent dies
 * without stopping us (a test runner killed, a terminal closed), we are re-parented; we then shut down
 * gracefully (SIGTERM to ourselves) instead of lingering as an orphan that holds ports and, worse, stays in
 * the shared Kafka consumer groups taking records meant for the next run. Polls the parent id once a second:
 * Node has no parent-death signal, and an IPC channel would change how the children are spawned.
 */
export function exitWithParent(env: Readonly<Record<string, string | undefined>>): void {
  if (env['EXIT_WITH_PARENT'] !== 'true') {
    return;
  }
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) {
      process.kill(process.pid, 'SIGTERM');
    }
  }, 1_000).unref();
}
