/** Spawned by exit-with-parent.spec.ts: a harness-started process that reports its own SIGTERM. */
import { exitWithParent } from './exit-with-parent';

exitWithParent({ EXIT_WITH_PARENT: 'true' });
process.once('SIGTERM', () => {
  process.stdout.write('terminated\n', () => process.exit(0));
});
// Stands in for a service's servers: the process lives until it is told to stop.
setInterval(() => undefined, 60_000);
process.stdout.write('ready\n');
