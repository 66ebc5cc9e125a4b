/**
 * The container image's HEALTHCHECK (compiled to dist/scripts/healthcheck.js): GET /healthz on this process's
 * own API port (PORT, as the service reads it) and exit 0 on a 200 within the deadline, 1 otherwise. Liveness
 * only, as the Kubernetes livenessProbe: /readyz may answer 503 while a dependency is away, and a container
 * that is alive but not ready must not be restarted for it.
 */
const DEADLINE_MS = 2_500;

export async function healthy(port: number, fetchFn: typeof fetch = fetch): Promise<boolean> {
  try {
    const response = await fetchFn(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(DEADLINE_MS) });

    return response.status === 200;
  } catch {
    return false;
  }
}

if (require.main === module) {
  void healthy(Number(process.env['PORT'] || 3000)).then((ok) => process.exit(ok ? 0 : 1));
}
