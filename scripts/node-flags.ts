/**
 * Node's flags for every service process: `npm start` (package.json), `npm run dev` and the benches
 * (scripts/distributed.ts), the Dockerfile, docker-compose.yml and the k8s manifests. They are V8 flags,
 * which NODE_OPTIONS refuses, so each start command spells them out; scripts/ops/node-flags.spec.ts checks
 * that every one of them carries these. docs/performance.md ("Idle and memory of the services") has the
 * figures behind them.
 */
export const SERVICE_NODE_FLAGS: readonly string[] = [];
