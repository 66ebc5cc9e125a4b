import type { AddressInfo } from 'node:net';
import { generateSimulatorAccounts, httpApiAccounts, type SimulatorOptions, simulatorPlugin } from '@sms/simulator';
import Fastify from 'fastify';

/** A stand-alone provider simulator on a free port, for suites below the gateway (no control credential). */
export interface SimulatorServer {
  /** `http://127.0.0.1:<port>`; the simulator's routes are under `{base}/sim`. */
  readonly base: string;
  close(): Promise<void>;
}

/** What a suite may set of the simulator; the rest is this server's default. */
export type SimulatorServerOptions = Partial<
  Pick<SimulatorOptions, 'seed' | 'webhookBaseUrl' | 'callbackTimeoutMs' | 'callbackRetryDelayMs'>
>;

/** The simulator's webhooks go to its own base unless `options.webhookBaseUrl` says otherwise. */
export async function startSimulatorServer(
  twilio: { readonly accountSid: string; readonly authToken: string },
  options: SimulatorServerOptions = {},
): Promise<SimulatorServer> {
  // Adapters keep connections alive: close them with the server instead of waiting for them to idle out.
  const app = Fastify({ logger: false, forceCloseConnections: true });
  let base = '';
  await app.register(simulatorPlugin, {
    ...httpApiAccounts(generateSimulatorAccounts()),
    prefix: '/sim',
    publicBaseUrl: 'http://127.0.0.1',
    controlAuth: () => 'allowed',
    webhookBaseUrl: () => base,
    twilio,
    seed: 3,
    ...options,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return { base, close: () => app.close() };
}
