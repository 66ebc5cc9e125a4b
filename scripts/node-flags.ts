/**
 * Node's flags for every service process: `npm start` (package.json), `npm run dev` and the benches
 * (scripts/distributed.ts), the apps' nx serve targets, the Dockerfile, docker-compose.yml and the k8s
 * manifests. They are V8 flags, which NODE_OPTIONS refuses, so each start command spells them out;
 * scripts/ops/node-flags.spec.ts checks that every one of them carries these. docs/performance.md ("Idle
 * and memory of the services") has the figures behind them.
 */
/**
 * `--heap-growing-percent=50`: after each full collection V8 lets the old generation grow to 1.5 times what
 * survived, instead of up to 4 times for a process that allocates fast. A burst's garbage then triggers a
 * full collection well before the heap has doubled, which keeps a service's resident memory near its live
 * data; it is a ratio, not a cap, so a service whose live data grows (bounded maps filling) still gets the
 * heap it needs rather than an out-of-memory crash.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = ['--heap-growing-percent=50'];
